#!/usr/bin/env bash
# npm run synth [-- --output <dir>]: runs cdktf.json's app command, which is all `cdktf synth` does for
# this project, without the cdktf CLI: the CLI loads a terminal module that has no build for the Node line
# the project runs on (see README, "cdktf's status"), and it takes about 2 s to start.
# (cdktf.json silences DEP0044: cdktf 0.21 calls util.isArray, which Node 22+ deprecates.)
set -euo pipefail
cd "$(dirname "$0")/../.."
outdir=cdktf.out
while (($#)); do
  case $1 in
    -o | --output) outdir=${2:?"--output needs a directory"}; shift 2 ;;
    *) echo "synth: unknown argument '$1'; usage: npm run synth [-- --output <dir>]" >&2; exit 2 ;;
  esac
done
app=$(node -p "require('./cdktf.json').app")
CDKTF_OUTDIR=$outdir CHECKPOINT_DISABLE=1 bash -c "$app"
stacks=$(node -p "Object.keys(require(require('node:path').resolve(process.argv[1], 'manifest.json')).stacks).join(', ')" "$outdir")
echo "Generated Terraform code for the stacks: $stacks"
