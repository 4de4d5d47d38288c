#!/bin/sh
# Measures `vodflow upload` on loopback: a SIZE-byte file (default 200 MB)
# to the Object Storage emulator (the S3 test double, SigV4 checked), which
# runs in its own process (`vodflow emulator`), so the peak RSS that
# /usr/bin/time -v reports is the uploader's alone.
#
#   sh scripts/bench-upload.sh [SIZE_BYTES] [PART_SIZE_BYTES]
set -eu
size=${1:-200000000}
part=${2:-16777216}
dir=$(mktemp -d)
trap 'kill "$emu" 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/vodflow" ./scripts/vodflow
head -c "$size" /dev/urandom >"$dir/video.mp4"
"$dir/vodflow" emulator --addr 127.0.0.1:18190 --storage-addr 127.0.0.1:18191 >"$dir/emulator.log" 2>&1 &
emu=$!
sleep 1
cat >"$dir/params.json" <<JSON
{"package": {"name": "vodflow", "parameters": {
  "NCLOUD_ACCESS_KEY": "vodflow-emulator-access-key", "NCLOUD_SECRET_KEY": "vodflow-emulator-secret-key",
  "BUCKET_NAME": "vodflow-demo-uploads",
  "OBJECT_STORAGE_ENDPOINT": "http://127.0.0.1:18191", "OBJECT_STORAGE_REGION": "kr-standard"}}}
JSON
/usr/bin/time -v "$dir/vodflow" upload --params "$dir/params.json" --part-size "$part" --progress none --json "$dir/video.mp4" \
	>"$dir/report.json" 2>"$dir/time.txt"
grep -E '"(size|multipart|ms|mb_per_s)"' "$dir/report.json"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)' "$dir/time.txt"
