"""The initial product catalogue (editable afterwards in the admin)."""

from decimal import Decimal

from django.db import migrations

CATALOGUE = [
    # code, service type, resource type, zh, en, description zh, description en, specs
    ("ECS", "hws.service.type.ec2", "hws.resource.type.vm", "弹性云服务器 ECS", "Elastic Cloud Server (ECS)",
     "可随时自动获取、弹性伸缩的云服务器", "Scalable compute on demand", [
         ("s6.large.2", "通用计算型 s6 | 2vCPUs | 4GiB", "General computing s6 | 2 vCPUs | 4 GiB", "185.00", "0.40"),
         ("s6.xlarge.2", "通用计算型 s6 | 4vCPUs | 8GiB", "General computing s6 | 4 vCPUs | 8 GiB", "370.00", "0.80"),
         ("c7.2xlarge.4", "计算增强型 c7 | 8vCPUs | 32GiB", "Compute-enhanced c7 | 8 vCPUs | 32 GiB", "1380.00", "2.95"),
     ]),
    ("EVS", "hws.service.type.ebs", "hws.resource.type.volume", "云硬盘 EVS", "Elastic Volume Service (EVS)",
     "为云服务器提供高可靠的块存储", "Reliable block storage for servers", [
         ("SSD-100", "超高IO | 100GiB", "Ultra-high I/O | 100 GiB", "100.00", "0.21"),
         ("SAS-500", "高IO | 500GiB", "High I/O | 500 GiB", "175.00", "0.36"),
     ]),
    ("EIP", "hws.service.type.vpc", "hws.resource.type.ip", "弹性公网IP EIP", "Elastic IP (EIP)",
     "独立的公网IP地址与带宽", "Public IP address with bandwidth", [
         ("BW-5M", "全动态BGP | 5Mbit/s", "Dynamic BGP | 5 Mbit/s", "115.00", "0.25"),
         ("BW-20M", "全动态BGP | 20Mbit/s", "Dynamic BGP | 20 Mbit/s", "1000.00", "2.10"),
     ]),
    ("OBS", "hws.service.type.obs", "hws.resource.type.obs", "对象存储 OBS", "Object Storage Service (OBS)",
     "海量、安全、高可靠的云存储", "Massive, secure and reliable storage", [
         ("STD-1T", "标准存储包 | 1TB", "Standard storage package | 1 TB", "99.00", "0.20"),
     ]),
    ("RDS", "hws.service.type.rds", "hws.resource.type.rds.vm", "云数据库 RDS", "Relational Database Service (RDS)",
     "稳定可靠、可弹性伸缩的云数据库", "Managed MySQL / PostgreSQL", [
         ("mysql.x1.large.2", "MySQL 单机 | 2vCPUs | 4GiB", "MySQL single | 2 vCPUs | 4 GiB", "410.00", "0.85"),
         ("pg.x1.xlarge.4.ha", "PostgreSQL 主备 | 4vCPUs | 16GiB", "PostgreSQL primary/standby | 4 vCPUs | 16 GiB", "2350.00", "4.90"),
     ]),
]


def forward(apps, schema_editor):
    Product = apps.get_model("billing", "Product")
    ProductSpec = apps.get_model("billing", "ProductSpec")
    for sort, (code, service, resource, zh, en, dzh, den, specs) in enumerate(CATALOGUE):
        product, _ = Product.objects.get_or_create(
            code=code,
            defaults=dict(service_type_code=service, resource_type_code=resource, name_zh=zh, name_en=en,
                          description_zh=dzh, description_en=den, sort=sort),
        )
        for spec_code, szh, sen, monthly, hourly in specs:
            ProductSpec.objects.get_or_create(
                product=product,
                spec_code=spec_code,
                defaults=dict(description_zh=szh, description_en=sen, monthly_price=Decimal(monthly), hourly_price=Decimal(hourly),
                              sku_id=f"{code.lower()}-{spec_code.lower()}"[:32]),
            )


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_orders_consumption_bills")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
