#!/bin/bash
# The GPU figures of the distributed/momentum issue, as one short run on a lent device machine.
#
# Here, once:  python -m benchmarks bundle        # device_data/ (git-ignored, about 13 MiB)
# Then:        device run(command="bash benchmarks/gpu.sh", carry=["device_data"], timeout_s=600)
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
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
timeout 150 python -m benchmarks run scale_gpu
timeout 360 python -m benchmarks run table1_coil100_gpu
for name in scale_gpu table1_coil100_gpu; do
    [ -d "benchmarks/results/$name" ] && tar -C benchmarks/results -czf "$OUT/$name.tar.gz" "$name"
done
ls -l "$OUT"
