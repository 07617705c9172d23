#!/bin/sh
# canhgac compliance demo: the fictional "Sở Thông tin và Truyền thông tỉnh
# Mẫu" reviews its information systems against the requirements of their
# security level (Decree 85/2016/ND-CP, TCVN 11930:2017) and writes the
# readiness report for the province, in Vietnamese and in English.
#
# Usage: samples/compliance.sh [path-to-canhgac] [output-directory]
#   (defaults: build/cli/canhgac and the current directory)
# Runs samples/demo.sh first (systems, hosts, botnet list, hunt) on the same
# database: a fresh one in a temporary directory, or $CANHGAC_DB if set.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${1:-$root/build/cli/canhgac}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
outdir=${2:-.}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
cd "$root"
if [ ! -x "$bin" ]; then
	echo "compliance demo: $bin not found; build first: meson setup build && ninja -C build" >&2
	exit 1
fi
if [ -z "${CANHGAC_DB:-}" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	CANHGAC_DB=$tmp/canhgac.db
fi
export CANHGAC_DB
CANHGAC_NOW=${CANHGAC_NOW:-1795996800} # 2026-11-30T00:00:00Z, as in demo.sh
export CANHGAC_NOW

step() {
	case ${LANGUAGE:-${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}} in
	vi*) printf '\n==> %s\n' "$2" ;;
	*) printf '\n==> %s\n' "$1" ;;
	esac
}
cg() { "$bin" "$@"; }
f=samples/compliance

sh samples/demo.sh "$bin"

step "Vulnerability review and the authority's blocking order" \
	"Rà soát lỗ hổng và quyết định chặn của cơ quan chức năng"
cg inventory import dc01.so-mau.example samples/vuln/windows-os-dc01.json
cg vuln import --bundled
cg vuln scan
cg order add --ref "123/QĐ-STTTT" --issued 2026-11-20 --deadline 2026-11-22 samples/block/order-123-QD-STTTT.txt

step "An incident: the mail server on the botnet list" "Một sự cố: máy chủ thư trong danh sách botnet"
cg incident open "mail01 liên lạc với máy chủ điều khiển botnet Mirai" --system "Thư điện tử công vụ" \
	--severity high --category malware --discovered 2026-11-27T08:00:00Z

step "The agency and its incident-response contact point" "Đơn vị và đầu mối ứng cứu sự cố"
cg compliance agency --name "Sở Thông tin và Truyền thông tỉnh Mẫu (hư cấu)" \
	--contact "Tổ ứng cứu sự cố, Trung tâm CNTT — 0200 000 0000 — ucsc@so-mau.example"

step "Host facts from the tools' own output" "Thông tin cấu hình máy từ kết quả của các công cụ"
for h in web01.so-mau.example mail01.so-mau.example; do
	cg compliance facts import $h $f/$h/sshd-T.txt $f/$h/nft-list-ruleset.txt $f/$h/timedatectl-show.txt \
		$f/$h/auditctl-s.txt $f/$h/os-release --by "Tổ kỹ thuật"
	cg compliance facts import $h $f/$h/systemctl-is-active-rsyslog-auditd.txt --units rsyslog,auditd --by "Tổ kỹ thuật"
done
for h in dc01.so-mau.example vb01.so-mau.example; do
	cg compliance facts import $h $f/$h/secedit-export.inf $f/$h/Get-MpComputerStatus.json $f/$h/auditpol-r.csv \
		--by "Tổ kỹ thuật"
done
cg compliance facts import ws-ketoan-01 $f/ws-ketoan-01/Get-MpComputerStatus.json $f/ws-ketoan-01/secedit-export.inf \
	--by "Tổ kỹ thuật"
cg compliance facts set web01.so-mau.example log.retention_days 180 --by "Tổ kỹ thuật"
cg compliance facts set mail01.so-mau.example log.retention_days 90 --by "Tổ kỹ thuật"

step "Awareness: a briefing and a phishing exercise" "Nâng cao nhận thức: một buổi phổ biến và một đợt diễn tập thư lừa đảo"
cg compliance awareness add --kind briefing --date 2026-09-15 --title "Phổ biến Chỉ thị về an toàn thông tin" \
	--people 42 --attendees "Văn phòng Sở; Trung tâm CNTT; các phòng chuyên môn" --by "Văn phòng Sở"
cg compliance awareness add --kind phishing --date 2026-10-20 --title "Diễn tập thư giả mạo hóa đơn điện tử" \
	--people 120 --clicked 30 --reported 41 --by "Trung tâm CNTT"

step "Requirements confirmed by hand" "Các yêu cầu được xác nhận thủ công"
for s in "Cổng thông tin điện tử" "Thư điện tử công vụ" "Quản lý văn bản và điều hành" "Hạ tầng mạng nội bộ" "Máy trạm"; do
	cg compliance set "$s" POL-01 --state met --evidence "Quyết định 12/QĐ-STTTT ban hành quy chế an toàn thông tin" \
		--by "Văn phòng Sở" --quiet
	cg compliance set "$s" ORG-01 --state met --evidence "Quyết định phân công Trung tâm CNTT" --by "Văn phòng Sở" --quiet
done
cg compliance set "Cổng thông tin điện tử" DES-01 --state met --evidence "Quyết định phê duyệt cấp độ 3" --by "Văn phòng Sở"
cg compliance set "Cổng thông tin điện tử" NET-01 --state met --evidence "fw01 tại biên, sơ đồ mạng 2026" --by "Trung tâm CNTT"

step "Where each system stands" "Hiện trạng từng hệ thống"
cg compliance status "Cổng thông tin điện tử"

step "Gaps, highest level first" "Các thiếu sót, cấp độ cao trước"
cg compliance report

step "The readiness report (Vietnamese and English)" "Báo cáo sẵn sàng (tiếng Việt và tiếng Anh)"
cg report --lang vi --out "$outdir/bao-cao-san-sang.html"
cg report --lang en --out "$outdir/readiness-report.html"
