#!/usr/bin/env python3
"""Checks a run folder against transformers, an implementation independent of aspd's Java one:
AutoTokenizer.from_pretrained(RUN) must give the markers, and for every shard row decode(input_ids)
must be its aspd_text and every piece between markers must encode (split_special_tokens=True) to
the row's ids. Needs transformers and pyarrow. Usage: transformers-check.py RUN_DIR"""
import sys, glob, json
import pyarrow.parquet as pq
import transformers
out = sys.argv[1]
tk = transformers.AutoTokenizer.from_pretrained(out)
markers = ["<|branch|>", "<|/branch|>", "<|title|>", "<|/title|>", "<|para|>", "<|/para|>"]
print(type(tk).__name__, "markers", [tk.convert_tokens_to_ids(m) for m in markers], "eos", tk.eos_token, "template", tk.chat_template is not None)
rows = same = 0
bad = []
for f in sorted(glob.glob(out + "/data/*.parquet")):
    for r in pq.read_table(f).to_pylist():
        rows += 1
        text = tk.decode(r["input_ids"], skip_special_tokens=False, clean_up_tokenization_spaces=False)
        if text == r["aspd_text"]: same += 1
        else: bad.append(r["id"])
print(f"{rows} rows, decode(input_ids) == aspd_text for {same}; differ: {bad[:5]}")
# Encoding side: every piece between markers, encoded by transformers with special-token matching off,
# gives the row's ids (a branch piece is title, ": ", content, encoded one by one as the method lays it out).
ids_of = {tk.convert_tokens_to_ids(m): m for m in markers}
enc = lambda t: tk(t, add_special_tokens=False, split_special_tokens=True)["input_ids"] if t else []
pieces = match = 0
mism = []
for f in sorted(glob.glob(out + "/data/*.parquet")):
    for r in pq.read_table(f).to_pylist():
        ids = r["input_ids"]; seg = []; prev = None; titles = []; branch = 0
        for i in ids + [None]:
            if i is None or i in ids_of:
                if seg:
                    text = tk.decode(seg, skip_special_tokens=False, clean_up_tokenization_spaces=False)
                    if prev == "<|title|>": titles.append(text)
                    if prev == "<|branch|>":
                        title = titles[branch]; branch += 1
                        assert text.startswith(title + ": ")
                        rest = text[len(title) + 2:]
                        want = enc(title) + enc(": ") + enc(rest)
                    else:
                        want = enc(text)
                    pieces += 1
                    if want == seg: match += 1
                    else: mism.append((r["id"], text[:60]))
                seg = []; prev = ids_of.get(i)
                if prev == "<|/para|>": titles = []; branch = 0
            else:
                seg.append(i)
print(f"{pieces} pieces; transformers encodes {match} to the row's ids; differ: {mism[:3]}")
sys.exit(1 if bad or mism else 0)
