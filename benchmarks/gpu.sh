#!/bin/bash
# GPU figures as one short run on a lent device machine: the experiments named as arguments,
# each NAME or NAME:SECONDS (its time limit; default 540), or by default the distributed/momentum
# issue's two (scale_gpu:150 table1_coil100_gpu:360).
#
# Here, once:  python -m benchmarks bundle        # device_data/ (git-ignored, about 13 MiB)
# Then:        device run(command="bash benchmarks/gpu.sh [NAME[:SECONDS] ...]",
#                         carry=["device_data"], timeout_s=600)
#
# There, ../shared is absent and torch is the device's own: the data come from device_data/
# (DEEPSUBSPACE_ARRAYS holds decoded COIL-100, DEEPSUBSPACE_DATA the .mat files). Each
# benchmark is resumable and saves after every run; whatever finished within its time limit
# comes back in $OUT (copy it into benchmarks/results/ here and commit). Not here: ResNet-18 at
# 128x128 RGB (clbdsc_coil100), whose decoded data is over the 64 MiB carry limit.
set -u
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1 OMP_NUM_THREADS=4
export DEEPSUBSPACE_DATA=$PWD/device_data DEEPSUBSPACE_ARRAYS=$PWD/device_data
OUT=${OUT:-/tmp/gpu_figures}
mkdir -p "$OUT"
[ $# -gt 0 ] || set -- scale_gpu:150 table1_coil100_gpu:360
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
for item in "$@"; do
    name=${item%%:*}
    seconds=540
    [ "$item" != "$name" ] && seconds=${item#*:}
    timeout "$seconds" python -m benchmarks run "$name"
    [ -d "benchmarks/results/$name" ] && tar -C benchmarks/results -czf "$OUT/$name.tar.gz" "$name"
done
ls -l "$OUT"
