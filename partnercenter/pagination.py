from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable

PER_PAGE = 20


def stable_order(queryset):
    """The queryset ordered so that no two rows tie: OFFSET pages over tied rows may repeat a row
    on page 2 and skip another (PostgreSQL promises no order among equals), so the primary key
    breaks ties. Aggregated (values/GROUP BY) queries are left alone: their rows have no pk."""
    if (
        not isinstance(queryset, QuerySet)
        or queryset._iterable_class is not ModelIterable
        or queryset.query.group_by
        or queryset.query.distinct_fields
    ):
        return queryset
    query = queryset.query
    ordering = list(
        query.order_by or (queryset.model._meta.ordering if query.default_ordering else [])
    )
    pk_names = {"pk", queryset.model._meta.pk.name, queryset.model._meta.pk.attname}
    if any(isinstance(f, str) and f.lstrip("-") in pk_names for f in ordering):
        return queryset
    last = ordering[-1] if ordering else "-pk"
    descending = (
        last.startswith("-") if isinstance(last, str) else getattr(last, "descending", True)
    )
    return queryset.order_by(*ordering, "-pk" if descending else "pk")


def paginate(request, queryset, per_page=PER_PAGE):
    paginator = Paginator(stable_order(queryset), per_page)
    return paginator.get_page(request.GET.get("page"))
