"""Benchmarks: `python -m bench.run [--quick] [--only render,api] --out bench/results.json`.

`make bench` writes bench/results.json and bench/results.md (the tables the README's Performance
section reproduces); `make bench-quick` runs smaller counts in under 2 minutes. They print and record
figures; they are not tests and never fail a run on a missed target. Stages: render, coldstart, email,
pipeline, api. Where a target is missed, `python -m bench.profile render|deliver|api` shows where the
time goes (pyinstrument). Needs PostgreSQL and Redis (`make services`); the database saypro_bench is
created afresh on every run.
"""
