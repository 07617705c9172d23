#!/usr/bin/env python3
"""The Vietnamese catalog is complete and used at run time.

With LANGUAGE=vi every --help and the user errors are Vietnamese, with
command, option and file names left as they are; with LANGUAGE=en they are
English. po/vi.po has no untranslated or fuzzy message, and no message of the
current sources is missing from it, so a new string cannot ship untranslated."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

BIN = os.environ["CANHGAC_BIN"]
SRC = os.environ["CANHGAC_SRC"]
LOCALEDIR = os.environ.get("CANHGAC_LOCALEDIR", "")
PO = os.path.join(SRC, "po", "vi.po")
failures = []

# Letters that only Vietnamese among the languages we could print has.
VI_LETTERS = re.compile(
    "[ăâđêôơưĂÂĐÊÔƠƯ"
    "áàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    "ÁÀẢÃẠẮẰẲẴẶẤẦẨẪẬÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ]")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]+)")


def check(cond, msg):
    if not cond:
        failures.append(msg)


def base_env():
    """The caller's environment without any locale choice of its own."""
    e = {k: v for k, v in os.environ.items() if k not in ("LANG", "LANGUAGE") and not k.startswith("LC_")}
    return e


def run(*args, lang, locale="C.UTF-8", extra=None):
    e = base_env()
    if locale is not None:
        e["LC_ALL"] = locale
    if lang is not None:
        e["LANGUAGE"] = lang
    if extra:
        e.update(extra)
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=e, timeout=60)


def vietnamese(text):
    return len(VI_LETTERS.findall(text)) >= 3


def msgid_at(path, line):
    """The msgid of the entry whose msgstr is at LINE of a PO file (msgcmp
    reports the msgstr line)."""
    try:
        lines = open(path, encoding="utf-8").read().split("\n")[:line]
    except OSError:
        return f"{path}:{line}"
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("msgid "):
            text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', " ".join(lines[i:line - 1])))
            return f"{os.path.basename(path)}:{line}: {text[:100]}"
    return f"{path}:{line}"


# --- the catalog itself -------------------------------------------------------
msgfmt = shutil.which("msgfmt")
if not msgfmt:
    print("FAIL: msgfmt not found (install gettext)")
    sys.exit(1)
st = subprocess.run([msgfmt, "-c", "--statistics", "-o", os.devnull, PO], capture_output=True, text=True)
check(st.returncode == 0, f"msgfmt -c po/vi.po failed:\n{st.stderr}")
check(re.search(r"\d+ translated message", st.stderr) is not None, f"msgfmt statistics unreadable: {st.stderr!r}")
check("untranslated" not in st.stderr, f"po/vi.po has untranslated messages: {st.stderr.strip()}")
check("fuzzy" not in st.stderr, f"po/vi.po has fuzzy messages: {st.stderr.strip()}")
check(re.search(r"^\"Plural-Forms: nplurals=1; plural=0;\\n\"$", open(PO, encoding="utf-8").read(), re.M),
      "po/vi.po: Plural-Forms must be 'nplurals=1; plural=0;'")

# Every source file with translatable text is listed for xgettext.
potfiles = {ln.strip() for ln in open(os.path.join(SRC, "po", "POTFILES.in"), encoding="utf-8")
            if ln.strip() and not ln.startswith("#")}
marker = re.compile(r"(?<![\w])(?:_|N_|ngettext)\(\s*\"")
for top in ("src", "cli"):
    for d, _dirs, files in os.walk(os.path.join(SRC, top)):
        for f in files:
            if not f.endswith(".c"):
                continue
            path = os.path.join(d, f)
            rel = os.path.relpath(path, SRC)
            if marker.search(open(path, encoding="utf-8", errors="replace").read()):
                check(rel in potfiles, f"{rel} has translatable strings but is not in po/POTFILES.in")

# Every message of the current sources has a translation in vi.po (a string
# added since the last 'ninja canhgac-update-po' fails here, not in the field).
xgettext, msgcmp = shutil.which("xgettext"), shutil.which("msgcmp")
check(xgettext and msgcmp, "xgettext/msgcmp not found (install gettext)")
if xgettext and msgcmp:
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "canhgac.pot")
        x = subprocess.run([xgettext, "--from-code=UTF-8", "--language=C", "--keyword=_", "--keyword=N_",
                            "--add-comments=TRANSLATORS:", "-D", SRC, "-f", os.path.join(SRC, "po", "POTFILES.in"),
                            "-o", pot], capture_output=True, text=True)
        check(x.returncode == 0, f"xgettext failed: {x.stderr}")
        if x.returncode == 0:
            c = subprocess.run([msgcmp, "-N", PO, pot], capture_output=True, text=True)
            missing = []
            for m in re.finditer(r"^(.+?):(\d+): this message is (?:used but not defined|untranslated)", c.stderr,
                                 re.M):
                missing.append(msgid_at(m.group(1), int(m.group(2))))
            check(c.returncode == 0, "messages of the sources missing or untranslated in po/vi.po "
                  "(run 'ninja canhgac-update-po' and translate):\n  " + "\n  ".join(missing[:20]))

# --- run time ----------------------------------------------------------------
mo = os.path.join(LOCALEDIR, "vi", "LC_MESSAGES", "canhgac.mo")
if not os.path.isfile(mo):
    failures.append(f"compiled catalog {mo} missing: build the project (ninja) before the tests")
else:
    en_top = run("--help", lang="en")
    vi_top = run("--help", lang="vi")
    check(en_top.returncode == 0 and vi_top.returncode == 0, "canhgac --help failed")
    check(not vietnamese(en_top.stdout), "LANGUAGE=en: canhgac --help is not English")
    check(vietnamese(vi_top.stdout), "LANGUAGE=vi: canhgac --help is not Vietnamese")
    check("Cách dùng" in vi_top.stdout, "LANGUAGE=vi: canhgac --help has no 'Cách dùng' (Usage)")
    commands = re.findall(r"^  ([a-z]+) ", en_top.stdout, re.M)
    check(len(commands) >= 5, f"expected at least 5 commands in --help, got {commands}")
    check(re.findall(r"^  ([a-z]+) ", vi_top.stdout, re.M) == commands,
          "LANGUAGE=vi: command names in --help differ from English")
    check(set(OPTION.findall(vi_top.stdout)) == set(OPTION.findall(en_top.stdout)),
          "LANGUAGE=vi: canhgac --help does not show the same options as in English")

    for cmd in commands:
        en = run(cmd, "--help", lang="en")
        vi = run(cmd, "--help", lang="vi")
        check(vi.returncode == 0, f"LANGUAGE=vi canhgac {cmd} --help exited {vi.returncode}")
        check(vi.stdout != en.stdout, f"canhgac {cmd} --help is the same in Vietnamese and English")
        check(vietnamese(vi.stdout), f"LANGUAGE=vi: canhgac {cmd} --help is not Vietnamese")
        check(not vietnamese(en.stdout), f"LANGUAGE=en: canhgac {cmd} --help is not English")
        check(f"canhgac {cmd}" in vi.stdout, f"LANGUAGE=vi: canhgac {cmd} --help lost the command name")
        en_opts, vi_opts = set(OPTION.findall(en.stdout)), set(OPTION.findall(vi.stdout))
        check(vi_opts == en_opts, f"LANGUAGE=vi: canhgac {cmd} --help options differ from English: "
              f"missing {sorted(en_opts - vi_opts)}, extra {sorted(vi_opts - en_opts)}")
        width = max((len(ln) for ln in vi.stdout.splitlines()), default=0)
        check(width <= 110, f"LANGUAGE=vi: canhgac {cmd} --help has a line of {width} characters")

    # A usage error keeps the offending word and the hint to --help.
    for lang, want in (("vi", "lệnh con không xác định 'bogus-sub'"), ("en", "unknown subcommand 'bogus-sub'")):
        r = run("intel", "bogus-sub", lang=lang)
        check(r.returncode == 2, f"LANGUAGE={lang} canhgac intel bogus-sub exited {r.returncode}, expected 2")
        check(want in r.stderr, f"LANGUAGE={lang}: expected {want!r} in {r.stderr!r}")
        check("canhgac intel --help" in r.stderr, f"LANGUAGE={lang}: no --help hint in {r.stderr!r}")

    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "canhgac.db")
        # A bad feed: the message comes from our catalog and names the file.
        feed = os.path.join(tmp, "danh-sach-chan.csv")
        with open(feed, "w", encoding="utf-8") as f:
            f.write("name,comment\nweb01.so-mau.example,test\n")
        vi = run("--db", db, "intel", "import", "--format", "csv", feed, lang="vi")
        en = run("--db", db, "intel", "import", "--format", "csv", feed, lang="en")
        check(vi.returncode == 1 and en.returncode == 1,
              f"intel import of a feed without indicator column exited {vi.returncode}/{en.returncode}")
        check(feed in vi.stderr, f"LANGUAGE=vi: the file name is not kept in {vi.stderr!r}")
        check("dòng tiêu đề không có cột dấu hiệu" in vi.stderr, f"LANGUAGE=vi: not Vietnamese: {vi.stderr!r}")
        check("--map ip=COLUMN" in vi.stderr, f"LANGUAGE=vi: option lost in {vi.stderr!r}")
        check("no indicator column in the header" in en.stderr, f"LANGUAGE=en: not English: {en.stderr!r}")

        # A missing file: the name is kept; the reason is the C library's,
        # Vietnamese where the system has its catalog (libc-l10n).
        missing = os.path.join(tmp, "khong-co", "botnet.csv")
        vi = run("--db", db, "intel", "import", missing, lang="vi")
        en = run("--db", db, "intel", "import", missing, lang="en")
        check(vi.returncode == 1, f"intel import of a missing file exited {vi.returncode}")
        check(missing in vi.stderr and missing in en.stderr, f"file name not kept: {vi.stderr!r} / {en.stderr!r}")
        check("No such file" in en.stderr, f"LANGUAGE=en: {en.stderr!r}")
        if os.path.exists("/usr/share/locale/vi/LC_MESSAGES/libc.mo"):
            check(vietnamese(vi.stderr), f"LANGUAGE=vi: missing-file error not Vietnamese: {vi.stderr!r}")

        # Data stays machine-readable: --json keys and numbers do not change.
        vi = run("--db", db, "--json", "intel", "stats", lang="vi")
        en = run("--db", db, "--json", "intel", "stats", lang="en")
        check(vi.returncode == 0 and vi.stdout == en.stdout, f"--json output depends on the language: "
              f"{vi.stdout!r} vs {en.stdout!r}")

    # gettext ignores LANGUAGE under the C locale; canhgac honours it unless
    # C was chosen on purpose with LC_ALL (what scripts use for stable text).
    r = run("--help", lang="vi", locale=None)
    check(vietnamese(r.stdout), "LANGUAGE=vi with no locale set: --help is not Vietnamese")
    r = run("--help", lang="vi", locale=None, extra={"LANG": "C"})
    check(vietnamese(r.stdout), "LANGUAGE=vi LANG=C: --help is not Vietnamese")
    r = run("--help", lang="vi", locale="C")
    check(not vietnamese(r.stdout) and "Usage:" in r.stdout, "LC_ALL=C LANGUAGE=vi: --help is not English")
    r = run("--help", lang=None)
    check(not vietnamese(r.stdout), "no LANGUAGE: --help is not English")

    # A binary run from the build tree finds the catalogs compiled beside it,
    # without CANHGAC_LOCALEDIR: what a new user gets before installing.
    e = base_env()
    e.pop("CANHGAC_LOCALEDIR", None)
    e.update({"LC_ALL": "C.UTF-8", "LANGUAGE": "vi"})
    r = subprocess.run([BIN, "--help"], capture_output=True, text=True, env=e, timeout=60)
    check(vietnamese(r.stdout), "from the build tree without CANHGAC_LOCALEDIR: --help is not Vietnamese")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print("ok: Vietnamese catalog complete and used at run time")
