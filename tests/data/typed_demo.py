"""Writes the demo extract as typed Parquet (`members.parquet`, `claims.parquet`), as a data lake
would hold it: usage `typed_demo.py DEMO_DIR OUT_DIR decimal|float` (`float` writes `amount_eur` as
float64 instead of decimal(10, 2)). Shared by the Parquet, Arrow stream and Spark tests."""
import csv, datetime, decimal, sys
import pyarrow as pa, pyarrow.parquet as pq
demo, out, variant = sys.argv[1], sys.argv[2], sys.argv[3]
def rows(name):
    with open(f"{demo}/{name}.csv", encoding="cp1252", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))
digits = lambda s: int("".join(c for c in s if c.isdigit()))
dmy = lambda s: datetime.datetime.strptime(s, "%d/%m/%Y").date()
m = rows("members")
members = pa.table({
    "niss": pa.array([digits(r["niss"]) for r in m], pa.int64()),
    "exid": pa.array([digits(r["exid"]) for r in m], pa.int64()),
    "last_name": pa.array([r["last_name"] for r in m], pa.large_string()),
    "first_name": pa.array([r["first_name"] for r in m], pa.large_string()),
    "sex": pa.array([r["sex"] for r in m], pa.string()),
    "birth_date": pa.array([dmy(r["birth_date"]) for r in m], pa.date32()),
    "language": pa.array([r["language"] for r in m], pa.string()),
    "street": pa.array([r["street"] for r in m], pa.string()),
    "house_number": pa.array([r["house_number"] for r in m], pa.string()),
    "postcode": pa.array([int(r["postcode"]) for r in m], pa.int64()),
    "city": pa.array([r["city"] for r in m], pa.string()),
    "phone": pa.array([r["phone"] for r in m], pa.string()),
    "email": pa.array([r["email"] for r in m], pa.string()),
    "iban": pa.array([r["iban"] for r in m], pa.string()),
    "affiliation_date": pa.array([dmy(r["affiliation_date"]) for r in m], pa.date32()),
    "notes": pa.array([r["notes"] or None for r in m], pa.large_string()),
})
c = rows("claims")
amount = [decimal.Decimal(r["amount_eur"].replace(",", ".")) for r in c]
claims = pa.table({
    "claim_id": pa.array([int(r["claim_id"]) for r in c], pa.int64()),
    "niss": pa.array([digits(r["niss"]) for r in c], pa.int64()),
    "provider_inami": pa.array([digits(r["provider_inami"]) for r in c], pa.int64()),
    "nomenclature_code": pa.array([int(r["nomenclature_code"]) for r in c], pa.int32()),
    "icd10": pa.array([r["icd10"] or None for r in c], pa.string()),
    "care_date": pa.array([datetime.datetime.fromisoformat(r["care_date"]) for r in c], pa.timestamp("us")),
    "amount_eur": pa.array([float(a) for a in amount], pa.float64()) if variant == "float"
        else pa.array(amount, pa.decimal128(10, 2)),
    "comment": pa.array([r["comment"] or None for r in c], pa.string()),
})
pq.write_table(members, f"{out}/members.parquet")
pq.write_table(claims, f"{out}/claims.parquet")
