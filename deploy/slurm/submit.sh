#!/bin/bash
# Submit a sweep plan as a Slurm job array of SHARDS tasks and a merge job that runs when all succeed.
#   deploy/slurm/submit.sh examples/plans/seed-sla.yaml /shared/servesim/seed-sla 8
set -euo pipefail
PLAN=$(realpath "$1"); RESULTS=$2; SHARDS=${3:-8}
mkdir -p "$RESULTS"
here=$(dirname "$(realpath "$0")")
array=$(sbatch --parsable --array=0-$((SHARDS - 1)) --export=ALL,PLAN="$PLAN",RESULTS="$RESULTS" "$here/sweep.sbatch")
sbatch --dependency=afterok:"$array" --export=ALL,RESULTS="$RESULTS" "$here/merge.sbatch"
echo "array job $array: $SHARDS shards of $PLAN → $RESULTS/shard-*; merge → $RESULTS/merged"
