#!/bin/sh
# Start canhgacd on the sample agency Sở Mẫu, in the foreground, on
# 127.0.0.1:5514 (UDP and TCP) with metrics on http://127.0.0.1:9514/metrics.
# The first run prepares samples/daemon/state/canhgac.db (systems, hosts and
# the intel lists of samples/). Stop with Ctrl-C.
#
# Usage: samples/daemon/start.sh [BUILD_DIR]   (default: build)
# Then, from another terminal:
#   logger -n 127.0.0.1 -P 5514 -d -t sshd "Failed password for root from 203.0.113.25 port 4242 ssh2"
#   canhgac --db samples/daemon/state/canhgac.db alert list
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
build=${1:-$root/build}
cg=$build/cli/canhgac
cgd=$build/daemon/canhgacd
for b in "$cg" "$cgd"; do
	if [ ! -x "$b" ]; then
		echo "start: $b not found; build first: meson setup build && ninja -C build" >&2
		exit 1
	fi
done
db=$here/state/canhgac.db
mkdir -p "$here/state"
if [ ! -f "$db" ]; then
	s=$root/samples
	"$cg" --db "$db" --quiet system add "Cổng thông tin điện tử" --level 3 --owner "Văn phòng Sở" >/dev/null
	"$cg" --db "$db" --quiet system add "Thư điện tử công vụ" --level 3 --owner "Trung tâm CNTT" >/dev/null
	"$cg" --db "$db" --quiet system add "Quản lý văn bản và điều hành" --level 2 --owner "Văn phòng Sở" >/dev/null
	"$cg" --db "$db" --quiet system add "Hạ tầng mạng nội bộ" --level 2 --owner "Trung tâm CNTT" >/dev/null
	"$cg" --db "$db" --quiet system add "Máy trạm" --level 1 --owner "Các phòng chuyên môn" >/dev/null
	"$cg" --db "$db" --quiet host import "$s/inventory/hosts.csv" >/dev/null
	"$cg" --db "$db" --quiet intel import --source botnet-list "$s/intel/botnet-2026-11.csv" >/dev/null
	for f in "$s"/intel/*; do
		case $(basename "$f") in botnet-* | *.md) continue ;; esac
		"$cg" --db "$db" --quiet intel import "$f" >/dev/null
	done
	echo "start: prepared $db" >&2
fi
"$cgd" -n -c "$here/canhgacd.yaml"
exec "$cgd" -f -c "$here/canhgacd.yaml"
