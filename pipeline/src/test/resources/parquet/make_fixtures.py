"""Writes the Parquet fixtures of ParquetInputTest the way Hugging Face datasets and pandas do (pyarrow).

python3 make_fixtures.py   (made with pyarrow 25.0.1; the files are committed, the tests do not need Python)
"""
import pyarrow as pa
import pyarrow.parquet as pq

chat = [{"id": "c1", "messages": [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Name two teas."},
    {"role": "assistant", "content": "Green and black."},
    {"role": "user", "content": "Und auf Deutsch? 中文?"},
    {"role": "assistant", "content": "Grüner und schwarzer Tee. 绿茶和红茶。"}]}]
pq.write_table(pa.Table.from_pylist(chat), "chat-messages.parquet")
# The legacy two-level form (list<item: ...>), as older pyarrow wrote it.
pq.write_table(pa.Table.from_pylist(chat), "chat-messages-legacy.parquet", use_compliant_nested_type=False)
sharegpt = [{"id": "s1", "conversations": [
    {"from": "human", "value": "Say hi."}, {"from": "gpt", "value": "Hi! 👋"}]}]
pq.write_table(pa.Table.from_pylist(sharegpt), "sharegpt.parquet")
binary = pa.table({
    "id": ["u1", "bad"],
    "prompt": pa.array(["中文问题".encode(), b"fine"], pa.binary()),
    "response": pa.array(["答案 😀".encode(), b"broken \xff text"], pa.binary())})
pq.write_table(binary, "binary-text.parquet")
