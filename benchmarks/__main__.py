"""Run every benchmark and print its figures; `--json FILE` also writes them."""

from __future__ import annotations

import argparse
import json
import platform
import sys

from benchmarks import (
    bench_api,
    bench_customers,
    bench_documents,
    bench_import,
    bench_import_pg,
    bench_invoicing,
    bench_messaging,
    bench_pg_concurrency,
    bench_reports,
    bench_writer,
)

BENCHES = {
    "customers": bench_customers.run,
    "invoicing": bench_invoicing.run,
    "import": bench_import.run,
    "import-pg": bench_import_pg.run,
    "documents": bench_documents.run,
    "messaging": bench_messaging.run,
    "reports": bench_reports.run,
    "writer": bench_writer.run,
    "pg_concurrency": bench_pg_concurrency.run,
    "api": bench_api.run,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", choices=[*BENCHES, []], help="which benchmarks (default: all)")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    print(f"backoffice benchmarks — Python {platform.python_version()}, {platform.machine()}")
    results = {}
    for name in args.names or BENCHES:
        print(f"\n== {name}")
        results[name] = BENCHES[name]()
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
