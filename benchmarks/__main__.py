"""The benchmark driver: ``python -m benchmarks list`` and ``python -m benchmarks run NAME``.

``run`` executes the experiment's script (``benchmarks/experiments.py``) once
per argument list, in a fresh process whose results go to
``benchmarks/results/NAME/`` (``DEEPSUBSPACE_RESULTS``), and writes
``manifest.json`` there: script, arguments, status, commit, machine, start and
end time. Arguments after ``--`` are appended to every run (for example
``-- --device cuda``) and recorded. Scripts are resumable: a rerun skips the
runs already in their result files.
"""

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _common import BUNDLE, RESULTS_ROOT, git_commit, machine, write_bundle  # noqa: E402
from experiments import EXPERIMENTS  # noqa: E402


def _commands(name, extra):
    experiment = EXPERIMENTS[name]
    folder = os.path.join(RESULTS_ROOT, name)
    return [[os.path.join(HERE, experiment.script),
             *(arg.replace("{results}", folder) for arg in args), *extra]
            for args in experiment.runs]


def list_experiments(status=None):
    rows = [(name, e) for name, e in EXPERIMENTS.items() if status in (None, e.status)]
    width = max(len(name) for name, _ in rows)
    for name, experiment in rows:
        present = os.path.exists(os.path.join(RESULTS_ROOT, name, "manifest.json"))
        print(f"{name:<{width}}  {experiment.status:<10}  {'results' if present else 'no results':<10}  "
              f"{experiment.about}")


def run(name, extra, dry_run=False):
    experiment = EXPERIMENTS[name]
    folder = os.path.join(RESULTS_ROOT, name)
    commands = _commands(name, extra)
    if dry_run:
        for command in commands:
            print(" ".join(["python", os.path.relpath(command[0]), *command[1:]]))
        return 0
    os.makedirs(folder, exist_ok=True)
    device = extra[extra.index("--device") + 1] if "--device" in extra[:-1] else "cpu"
    manifest = {
        "experiment": name, "script": f"benchmarks/{experiment.script}", "status": experiment.status,
        "about": experiment.about,
        "arguments": [[arg.replace("{results}", f"benchmarks/results/{name}") for arg in args] + list(extra)
                      for args in experiment.runs],
        "commit": git_commit(), "machine": machine(device),
        "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    environment = {**os.environ, "DEEPSUBSPACE_RESULTS": folder}
    code = 0
    child = None

    def stop(signum, frame):  # a time limit (timeout's SIGTERM): stop the run, keep the manifest
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        for command in commands:
            print("$ python", os.path.relpath(command[0]), *command[1:], flush=True)
            child = subprocess.Popen([sys.executable, *command], env=environment)
            code = child.wait()
            if code:
                break
    except KeyboardInterrupt:
        if child is not None:
            child.terminate()
            child.wait()
        code = -signal.SIGTERM
        manifest["interrupted"] = True
    finally:
        signal.signal(signal.SIGTERM, previous)
    manifest["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    manifest["returncode"] = code
    manifest["files"] = sorted(f for f in os.listdir(folder) if f != "manifest.json")
    with open(os.path.join(folder, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")
    return code


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="the registered experiments")
    listing.add_argument("--status", choices=["current", "diagnostic", "oracle", "history"])
    running = commands.add_parser("run", help="run one experiment")
    running.add_argument("name", choices=sorted(EXPERIMENTS), metavar="NAME")
    running.add_argument("--dry-run", action="store_true", help="print the commands only")
    bundling = commands.add_parser("bundle", help="the data a device machine needs (see gpu.sh)")
    bundling.add_argument("folder", nargs="?", default=os.path.join(os.path.dirname(HERE), BUNDLE))
    args = parser.parse_args(argv)
    if args.command == "list":
        list_experiments(args.status)
        return 0
    if args.command == "bundle":
        print(f"{args.folder}: {', '.join(write_bundle(args.folder))}")
        return 0
    return run(args.name, extra, args.dry_run)


if __name__ == "__main__":
    sys.exit(main())
