"""Compare every stg_*/marts relation of two warehouses (row count + order-independent hash of all rows)."""
import sys, duckdb
a, b = sys.argv[1], sys.argv[2]
b_alias = sys.argv[3] if len(sys.argv) > 3 else "b"  # views that name their catalog need its own name
con = duckdb.connect()
con.execute(f"attach '{a}' as a (read_only)"); con.execute(f"attach '{b}' as {b_alias} (read_only)")
rels = con.execute("select table_schema, table_name from information_schema.tables where table_catalog='a' and (table_schema like 'stg\\_%' escape '\\' or table_schema='marts') order by 1,2").fetchall()
con.execute("use a")  # macros live in a.main / b.main; views bind them through the search path
same = diff = missing = 0
for s, t in rels:
    try:
        qa = con.execute(f'select count(*), sum(hash(x)) from (select * from a."{s}"."{t}" ) x').fetchone()
        con.execute(f"use {b_alias}")
        qb = con.execute(f'select count(*), sum(hash(x)) from (select * from {b_alias}."{s}"."{t}" ) x').fetchone()
        con.execute("use a")
    except duckdb.Error as e:
        missing += 1; print("missing/err", s, t, str(e)[:100]); con.execute("use a"); continue
    if qa == qb: same += 1
    else: diff += 1; print("DIFF", s, t, qa, qb)
print(f"relations {len(rels)}: same {same}, different {diff}, missing {missing}")
