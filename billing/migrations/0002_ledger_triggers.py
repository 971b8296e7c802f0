"""Database guarantees for the ledger on PostgreSQL (the SQLite demo default relies on the services).

- Postings are append-only: UPDATE and DELETE raise.
- A transfer's postings sum to zero: a constraint trigger, deferred to commit, refuses the
  transaction otherwise (a transfer writes several postings, so the check must wait for the last).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION billing_posting_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger postings are append-only (use a reversing transfer)';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_posting_no_update_or_delete
    BEFORE UPDATE OR DELETE ON billing_posting
    FOR EACH ROW EXECUTE FUNCTION billing_posting_append_only();

CREATE OR REPLACE FUNCTION billing_transfer_balanced() RETURNS trigger AS $$
DECLARE
    total numeric;
BEGIN
    SELECT COALESCE(SUM(amount), 0) INTO total FROM billing_posting WHERE transfer_id = NEW.transfer_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'transfer % postings sum to %, not zero', NEW.transfer_id, total;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER billing_transfer_sums_to_zero
    AFTER INSERT ON billing_posting
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION billing_transfer_balanced();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS billing_transfer_sums_to_zero ON billing_posting;
DROP FUNCTION IF EXISTS billing_transfer_balanced();
DROP TRIGGER IF EXISTS billing_posting_no_update_or_delete ON billing_posting;
DROP FUNCTION IF EXISTS billing_posting_append_only();
"""


def _run(schema_editor, sql):
    # A plain cursor: the SQL holds "%" placeholders of RAISE, not query parameters.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
