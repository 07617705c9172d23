#!/bin/sh
# canhgac demo: a fictional agency, "Sở Thông tin và Truyền thông tỉnh Mẫu",
# receives the authority's monthly botnet list before a holiday and wants to
# know which of its hosts to sweep first: from the lists, from the hits in its
# logs, and from the Sigma rules that fired on its servers.
#
# Usage: samples/demo.sh [path-to-canhgac]   (default: build/cli/canhgac)
# Uses a fresh database in a temporary directory, or $CANHGAC_DB if set.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${1:-$root/build/cli/canhgac}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
# Work from the project root so the output names files as samples/...
cd "$root"
here=samples
if [ ! -x "$bin" ]; then
	echo "demo: $bin not found; build first: meson setup build && ninja -C build" >&2
	exit 1
fi
if [ -z "${CANHGAC_DB:-}" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	CANHGAC_DB=$tmp/canhgac.db
fi
export CANHGAC_DB
# The sample logs are from late November 2026 and syslog lines carry no
# year: pin "now" so every run reads them the same way.
CANHGAC_NOW=${CANHGAC_NOW:-1795996800} # 2026-11-30T00:00:00Z
export CANHGAC_NOW

# Step titles follow LANGUAGE like canhgac's own messages (vi or English).
step() {
	case ${LANGUAGE:-${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}} in
	vi*) printf '\n==> %s\n' "$2" ;;
	*) printf '\n==> %s\n' "$1" ;;
	esac
}
cg() { "$bin" "$@"; }

step "Information systems and their security level (Decree 85/2016/ND-CP)" \
	"Hệ thống thông tin và cấp độ an toàn (Nghị định 85/2016/NĐ-CP)"
cg system add "Cổng thông tin điện tử" --level 3 --owner "Văn phòng Sở" --description "Cổng thông tin và dịch vụ công"
cg system add "Thư điện tử công vụ" --level 3 --owner "Trung tâm CNTT" --description "Thư điện tử của cán bộ"
cg system add "Quản lý văn bản và điều hành" --level 2 --owner "Văn phòng Sở"
cg system add "Hạ tầng mạng nội bộ" --level 2 --owner "Trung tâm CNTT"
cg system add "Máy trạm" --level 1 --owner "Các phòng chuyên môn"
cg system list

step "Hosts from the inventory spreadsheet" "Danh mục máy từ bảng tính"
cg host import "$here/inventory/hosts.csv"
cg host list

step "Threat intel: the authority's botnet list (October, then November) and C2 feeds" \
	"Thông tin mối đe dọa: danh sách botnet của cơ quan chức năng (tháng 10, rồi tháng 11) và các nguồn C2"
cg intel import --source botnet-list "$here/intel/botnet-2026-10.csv"
cg intel import --source botnet-list "$here/intel/botnet-2026-11.csv"
for f in "$here"/intel/*; do
	case $(basename "$f") in botnet-* | *.md) continue ;; esac
	cg intel import "$f"
done

step "What changed in the botnet list since last month" "Danh sách botnet thay đổi gì so với tháng trước"
cg intel diff botnet-list

step "Hunting the logs for listed indicators" "Truy vết nhật ký tìm các dấu hiệu trong danh sách"
cg hunt "$here/logs"

step "Sigma rules over the servers' system logs (attack patterns, not listed addresses)" \
	"Chạy luật Sigma trên nhật ký hệ thống của máy chủ (dấu hiệu tấn công, không phải địa chỉ trong danh sách)"
cg sigma hunt --rules "$here/sigma/rules" "$here/sigma/logs"

step "Hosts to sweep first" "Các máy cần rà soát trước"
cg priority
