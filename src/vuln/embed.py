#!/usr/bin/env python3
"""Embed a data file as a C string: embed.py INPUT OUTPUT SYMBOL."""
import sys

data = open(sys.argv[1], "rb").read()
sym = sys.argv[3]
with open(sys.argv[2], "w") as out:
    out.write("/* Generated from %s by embed.py; do not edit. */\n#include <stddef.h>\n" % sys.argv[1].split("/")[-1])
    out.write("extern const char %s[];\nextern const size_t %s_len;\n" % (sym, sym.replace("_json", "")))
    out.write("const char %s[] =\n" % sym)
    for i in range(0, len(data), 32):
        out.write('"' + "".join("\\%03o" % b for b in data[i:i + 32]) + '"\n')
    out.write(";\nconst size_t %s_len = %d;\n" % (sym.replace("_json", ""), len(data)))
