"""riskengine.run.partition on Spark local mode (local[2]) and on Dask: same answers as Engine.assess."""
from __future__ import annotations

import json
import os
import shutil
import sys
from functools import partial

import pytest

from riskengine.run.partition import (FULL_OUTPUT_COLUMNS, FULL_SPARK_SCHEMA, OUTPUT_COLUMNS, SPARK_SCHEMA,
                                  assess_pandas, assess_partition, assess_partition_list)
from tests.conftest import MINI
from tests.test_batch import make_cases

RULES, KNOWLEDGE = str(MINI / "rules"), str(MINI / "knowledge")


def expected(mini_engine, cases):
    return {c["id"]: mini_engine.assess(c, engine="compiled", missing_facts=False) for c in cases}


def expected_rows(mini_engine, cases):
    from tests.test_decision_row import row_from_assessment
    return {c["id"]: row_from_assessment(mini_engine.assess(c, engine="compiled", missing_facts=False),
                                         mini_engine.parse_case(c)) for c in cases}


def test_assess_partition_yields_rows_and_error_records(mini_engine):
    cases = make_cases(5)
    records = [cases[0], json.dumps(cases[1]), "{broken", {"id": "X"}, cases[2], "[" * 100_000, b"[1]"]
    out = list(assess_partition(records, RULES, KNOWLEDGE))
    rows = expected_rows(mini_engine, cases)
    assert out[0] == rows[cases[0]["id"]] and out[1] == rows[cases[1]["id"]]
    full = list(assess_partition(records, RULES, KNOWLEDGE, full=True))
    assert full[0] == expected(mini_engine, cases)[cases[0]["id"]].model_dump(mode="json")
    assert [r.get("error") for r in full] == [r.get("error") for r in out]
    assert out[2]["code"] == "RE203" and out[2]["case_id"] is None
    assert out[3]["case_id"] == "X" and "received" in out[3]["error"]
    assert out[4]["case_id"] == cases[2]["id"]
    assert out[5]["error"] == "JSON nesting is too deep" and out[5]["location"] == "record 6"
    assert out[6]["error"] == "each line must be one JSON object" and len(out) == 7


def test_assess_pandas_with_json_and_flat_columns(mini_engine):
    pd = pytest.importorskip("pandas")
    cases = make_cases(4)
    frame = pd.DataFrame({"case_json": [json.dumps(c) for c in cases] + ["{bad"]})
    (rows,) = list(assess_pandas([frame], json_column="case_json", rules_dir=RULES, knowledge_dir=KNOWLEDGE))
    assert list(rows.columns) == list(OUTPUT_COLUMNS) and len(rows) == 5
    want_rows = expected_rows(mini_engine, cases)
    for i, c in enumerate(cases):
        got = {k: rows.iloc[i][k] for k in want_rows[c["id"]]}
        got["received"] = got["received"].isoformat()
        got["respond_by"] = None if got["respond_by"] is None else got["respond_by"].isoformat()
        assert got == want_rows[c["id"]] and pd.isna(rows.iloc[i]["error"])
    assert rows.iloc[4]["error"].startswith("RE203") and rows.iloc[4]["case_id"] is None
    (out,) = list(assess_pandas([frame], json_column="case_json", rules_dir=RULES, knowledge_dir=KNOWLEDGE,
                                full=True))
    assert list(out.columns) == list(FULL_OUTPUT_COLUMNS) and len(out) == 5
    want = expected(mini_engine, cases)
    for row in out.iloc[:4].itertuples():
        assert json.loads(row.assessment_json) == want[row.case_id].model_dump(mode="json")
        assert row.risk_score == want[row.case_id].risk.score and pd.isna(row.error)
    assert out.iloc[4]["error"].startswith("RE203")
    flat = pd.DataFrame([{"id": c["id"], "received": c["received"], "industry": c["industry"],
                          "channel": c["channel"], "category": c["category"], "signals": c["signals"],
                          "history.days_open": c["history"]["days_open"], "demand.type": c["demand"]["type"],
                          "complainant.age": (c.get("complainant") or {}).get("age"), "unrelated": 1}
                         for c in cases])
    (out2,) = list(assess_pandas([flat], rules_dir=RULES, knowledge_dir=KNOWLEDGE))
    assert list(out2["case_id"]) == [c["id"] for c in cases] and out2["error"].isna().all()
    assert list(out2["risk_score"]) == [want[c["id"]].risk.score for c in cases]


def test_spark_local_mode_map_in_pandas(mini_engine):
    pytest.importorskip("pyspark")
    pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java (17): none found")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    spark = (SparkSession.builder.master("local[2]").appName("riskengine-test")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
             .getOrCreate())
    try:
        cases = make_cases(40, seed=4)
        rows = [(json.dumps(c, ensure_ascii=False),) for c in cases] + [("{not json",)]
        df = spark.createDataFrame(rows, "case_json string").repartition(3)
        fn = partial(assess_pandas, json_column="case_json", rules_dir=RULES, knowledge_dir=KNOWLEDGE, full=True)
        result = df.mapInPandas(fn, schema=FULL_SPARK_SCHEMA).collect()
        fn = partial(assess_pandas, json_column="case_json", rules_dir=RULES, knowledge_dir=KNOWLEDGE)
        rows = df.mapInPandas(fn, schema=SPARK_SCHEMA).collect()
    finally:
        spark.stop()
    assert len(result) == 41
    errors = [r for r in result if r.error]
    assert len(errors) == 1 and errors[0].error.startswith("RE203")
    want = expected(mini_engine, cases)
    for r in result:
        if r.error:
            continue
        a = want[r.case_id]
        assert (r.risk_level, r.risk_score, r.agent_suspected, r.escalation_level) == (
            a.risk.level, a.risk.score, a.agent.suspected, a.escalation.level)
        assert r.strategy == (a.strategy.id if a.strategy else None)
        assert json.loads(r.assessment_json) == a.model_dump(mode="json")
    want_rows = expected_rows(mini_engine, cases)
    assert len(rows) == 41 and sum(1 for r in rows if r.error) == 1
    for r in rows:
        if not r.error:
            got = r.asDict()
            del got["error"]
            got["received"] = got["received"].isoformat()
            got["respond_by"] = got["respond_by"] and got["respond_by"].isoformat()
            assert got == want_rows[r.case_id]


def test_dask_bag_map_partitions(mini_engine):
    db = pytest.importorskip("dask.bag")
    cases = make_cases(30, seed=6)
    bag = db.from_sequence(cases, npartitions=3)
    out = bag.map_partitions(assess_partition_list, RULES, KNOWLEDGE).compute(scheduler="processes", num_workers=2)
    threads = bag.map_partitions(assess_partition, RULES, KNOWLEDGE).compute(scheduler="threads")
    assert threads == out
    want = expected(mini_engine, cases)
    assert [r["case_id"] for r in out] == [c["id"] for c in cases]
    rows = expected_rows(mini_engine, cases)
    assert all(r == rows[r["case_id"]] for r in out)
    full = bag.map_partitions(assess_partition_list, RULES, KNOWLEDGE, full=True).compute(scheduler="threads")
    assert all(r == want[r["case_id"]].model_dump(mode="json") for r in full)
