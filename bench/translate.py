"""Translation throughput: our `translate` beside a naive split and pyx12, on the same files.

    .venv/bin/python bench/translate.py [--sizes 10,100] [--pyx12-max-mb 10] [--keep DIR]

Generates interchanges of realistic 850s (10 MB and 100 MB by default), then prints for each
file, in one run:

* `translate`: tokenize + validate against the 850 spec + canonical JSON written (to a sink),
  exactly what `edi-gateway translate` does;
* naive split: ``data.split(terminator)`` then ``segment.split(separator)`` - the floor for
  pure Python, doing nothing useful;
* pyx12: iterating `pyx12.x12file.X12Reader` over the same file (segments only, no map);
* peak RSS of `edi-gateway translate` on the largest file, in a fresh process.

Targets (issue 2): translate >= 1/4 of the split speed, >= 10x pyx12's reader, peak RSS
<= 150 MB on the 100 MB file.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ITEMS = ["WIDGET", "GADGET", "SPROCKET", "BRACKET", "HINGE", "VALVE", "FLANGE", "GASKET"]
CITIES = [("DAYTON", "OH", "45402"), ("RENO", "NV", "89501"), ("AUSTIN", "TX", "78701")]


def purchase_order(rng: random.Random, n: int) -> list[str]:
    city, state, zip_code = rng.choice(CITIES)
    lines = rng.randint(5, 40)
    segs = [
        f"ST*850*{n:04d}",
        f"BEG*00*SA*PO{n:08d}**2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
        "CUR*BY*USD",
        f"REF*DP*{rng.randint(1, 999):03d}",
        f"REF*IA*{rng.randint(10000, 99999)}",
        "PER*BD*JANE BUYER*TE*5555551234",
        "ITD*01*3*2**30**60",
        f"DTM*002*2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
        "TD5*O*2*UPSN*M*UPS GROUND",
        f"N1*ST*STORE {rng.randint(1, 999)}*92*{rng.randint(1000, 9999)}",
        f"N3*{rng.randint(1, 9999)} MAIN STREET*SUITE {rng.randint(1, 99)}",
        f"N4*{city}*{state}*{zip_code}*US",
        "N1*BT*ACME RETAIL HQ*92*0001",
        "N3*1 CORPORATE WAY",
        "N4*DAYTON*OH*45402*US",
    ]
    total = 0.0
    for i in range(1, lines + 1):
        qty = rng.randint(1, 500)
        price = rng.randint(100, 99999) / 100
        total += qty * price
        item = rng.choice(ITEMS)
        segs.append(
            f"PO1*{i}*{qty}*EA*{price:.2f}*PE*BP*{rng.randint(100000, 999999)}"
            f"*VP*{item[:3]}-{rng.randint(1000, 9999)}*UP*{rng.randint(10**11, 10**12 - 1)}"
        )
        segs.append(f"PID*F****{item} {rng.choice(['SMALL', 'LARGE', 'BLUE', 'STEEL'])}")
        if rng.random() < 0.3:
            segs.append(f"DTM*002*2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}")
    segs.append(f"CTT*{lines}")
    segs.append(f"AMT*TT*{total:.2f}")
    segs.append(f"SE*{len(segs) + 1}*{n:04d}")
    return segs


def generate(path: Path, megabytes: int, seed: int = 850) -> int:
    rng = random.Random(seed)
    target = megabytes * 1_000_000
    isa = (
        "ISA*00*          *00*          *ZZ*BUYERCO        *ZZ*DISTRIBUTOR    "
        "*240115*1200*U*00401*000000101*0*P*>~\n"
    )
    count = 0
    with path.open("w", encoding="ascii") as f:
        f.write(isa)
        f.write("GS*PO*BUYERCO*DISTRIBUTOR*20240115*1200*101*X*004010~\n")
        written = len(isa)
        while written < target:
            count += 1
            text = "~\n".join(purchase_order(rng, count)) + "~\n"
            f.write(text)
            written += len(text)
        f.write(f"GE*{count}*101~\nIEA*1*000000101~\n")
    return count


class Sink:
    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        return len(data)


def bench_translate(path: Path) -> tuple[float, int]:
    import io

    from gateway.commands.translate import run_translate

    sink = Sink()
    err = io.StringIO()
    start = time.perf_counter()
    with path.open("rb") as stream:
        code = run_translate(stream, path.name, strict=False, out=sink, err=err)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"translate failed on the benchmark file: {err.getvalue()[:500]}")
    return elapsed, sink.bytes


def bench_stages(path: Path) -> dict[str, float]:
    """Seconds for each cumulative stage: tokenize; + envelope and validation; + readers."""
    from translators.x12.interchange import SetRead, read_interchanges
    from translators.x12.readers import read_set
    from translators.x12.tokenizer import Tokenizer

    times: dict[str, float] = {}
    start = time.perf_counter()
    with path.open("rb") as stream:
        for tok in Tokenizer(stream):
            if tok.__class__ is str:
                tok.split("*")  # type: ignore[union-attr]
    times["tokenize+split"] = time.perf_counter() - start
    start = time.perf_counter()
    with path.open("rb") as stream:
        for _ev in read_interchanges(stream):
            pass
    times["+ envelope + validate"] = time.perf_counter() - start
    start = time.perf_counter()
    with path.open("rb") as stream:
        for ev in read_interchanges(stream):
            if isinstance(ev, SetRead):
                read_set(ev.transaction_set)
    times["+ canonical (readers)"] = time.perf_counter() - start
    return times


def bench_split(path: Path) -> float:
    start = time.perf_counter()
    data = path.read_bytes()
    n = 0
    for seg in data.split(b"~"):
        n += len(seg.strip().split(b"*"))
    elapsed = time.perf_counter() - start
    assert n > 0
    return elapsed


def bench_pyx12(path: Path) -> float | None:
    try:
        from pyx12.x12file import X12Reader
    except ImportError:
        return None
    start = time.perf_counter()
    n = 0
    with path.open(encoding="ascii") as f:
        for _seg in X12Reader(f):
            n += 1
    elapsed = time.perf_counter() - start
    assert n > 0
    return elapsed


COMPILED_MODULES = [
    "translators/x12/tokenizer.py",
    "translators/x12/validator.py",
    "translators/x12/interchange.py",
    "translators/x12/leniency.py",
    "translators/x12/translate.py",
    "translators/x12/readers/common.py",
    "translators/x12/readers/order.py",
]
_TIMER = """
import io, sys, time
sys.path.insert(0, {root!r})
from gateway.commands.translate import run_translate
class Sink:
    def write(self, b): return len(b)
start = time.perf_counter()
with open({path!r}, "rb") as f:
    code = run_translate(f, "x", strict=False, out=Sink(), err=io.StringIO())
print(time.perf_counter() - start, code)
"""


def build_compiled(folder: Path) -> Path | None:
    """A copy of the engine with its hot modules compiled by mypyc (None if mypyc fails)."""
    import shutil

    root = folder / "compiled"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for package in ("translators", "gateway"):
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("*.so"))
    mypyc = Path(sys.executable).with_name("mypyc")
    done = subprocess.run(
        [str(mypyc), *COMPILED_MODULES], cwd=root, capture_output=True, text=True, check=False
    )
    return root if done.returncode == 0 else None


def timed_in(root: Path, path: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _TIMER.format(root=str(root), path=str(path))],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    seconds, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"compiled translate failed on {path}")
    return float(seconds)


_RSS_PROBE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss_mb(path: Path) -> float:
    """Peak RSS of one `edi-gateway translate` process.

    Measured from a small probe process: a child forked from this (large) benchmark process
    would report this process's pages as its own high-water mark.
    """
    exe = Path(sys.executable).with_name("edi-gateway")
    cmd = [str(exe), "translate", str(path)]
    if not exe.exists():
        cmd = [sys.executable, "-m", "gateway.cli", "translate", str(path)]
    out = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, *cmd],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return int(out.stdout.strip()) / 1024


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="10,100", help="file sizes in MB, comma-separated")
    ap.add_argument("--pyx12-max-mb", type=int, default=100, help="skip pyx12 above this size")
    ap.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    ap.add_argument("--no-mypyc", action="store_true", help="skip the mypyc-compiled variant")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="edi-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    compiled = None if args.no_mypyc else build_compiled(folder)
    for mb in sizes:
        path = folder / f"850-{mb}MB.x12"
        count = generate(path, mb) if not path.exists() else -1
        size_mb = path.stat().st_size / 1e6
        t_translate, out_bytes = bench_translate(path)
        t_split = bench_split(path)
        t_pyx12 = bench_pyx12(path) if mb <= args.pyx12_max_mb else None
        rows.append(
            {
                "file": path.name,
                "size": size_mb,
                "pos": count,
                "translate": size_mb / t_translate,
                "split": size_mb / t_split,
                "pyx12": size_mb / t_pyx12 if t_pyx12 else None,
                "json_mb": out_bytes / 1e6,
                "compiled": size_mb / timed_in(compiled, path) if compiled else None,
            }
        )
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores")
    print(
        f"{'file':<16}{'MB':>8}{'translate MB/s':>16}{'split MB/s':>12}{'pyx12 MB/s':>12}"
        f"{'vs split':>10}{'vs pyx12':>10}{'mypyc MB/s':>12}"
    )
    for r in rows:
        pyx = f"{r['pyx12']:.2f}" if r["pyx12"] else "-"
        ratio_pyx = f"{r['translate'] / r['pyx12']:.1f}x" if r["pyx12"] else "-"
        print(
            f"{r['file']:<16}{r['size']:>8.1f}{r['translate']:>16.2f}{r['split']:>12.2f}{pyx:>12}"
            f"{r['translate'] / r['split']:>10.2f}{ratio_pyx:>10}"
            + (f"{r['compiled']:>12.2f}" if r["compiled"] else f"{'-':>12}")
        )
    first = folder / f"850-{min(sizes)}MB.x12"
    size = first.stat().st_size / 1e6
    print(f"stages on {first.name} (cumulative; translate adds JSON output):")
    for stage, seconds in bench_stages(first).items():
        print(f"  {stage:<24}{size / seconds:>8.2f} MB/s")
    largest = folder / f"850-{max(sizes)}MB.x12"
    print(f"peak RSS of `edi-gateway translate {largest.name}`: {peak_rss_mb(largest):.0f} MB")
    if not args.keep:
        import shutil

        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
