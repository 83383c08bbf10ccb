# PyTorch baselines measured in the same device run as our kernels (adapted from the shared
# baseline script, trimmed to what the issues compare): prefill attention on the ASPD benchmark
# layout with SDPA (causal flash, no branch rule), SDPA + dense boolean mask and FlexAttention +
# block mask; transformers generate() (eager) at batch 1 for the Qwen2.5-0.5B shape.
# Writes $OUT/torch_baselines.json. Flags: --no-attention, --no-generate.
import json, os, sys, time
import torch
import torch.nn.functional as F
from triton.testing import do_bench

torch.manual_seed(0)
dev = "cuda"
out = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__}
dst = os.path.join(os.environ.get("OUT", "."), "torch_baselines.json")

def save():
    with open(dst, "w") as f:
        json.dump(out, f, indent=1)

if "--no-attention" not in sys.argv:
    layout = [("s", 512), ("s", 128), ("p", 6, 256), ("s", 256), ("p", 4, 384), ("s", 128)]
    group, branch = [], []
    g = 0
    for item in layout:
        if item[0] == "s":
            group += [0] * item[1]; branch += [0] * item[1]
        else:
            g += 1
            for b in range(item[1]):
                group += [g] * item[2]; branch += [b + 1] * item[2]
    L = len(group)
    grp = torch.tensor(group, device=dev); br = torch.tensor(branch, device=dev)
    i = torch.arange(L, device=dev)
    allowed = (i[None, :] <= i[:, None]) & ~((grp[:, None] == grp[None, :]) & (grp[:, None] > 0) & (br[:, None] != br[None, :]))
    nnz = int(allowed.sum().item())
    H, D = 16, 128
    q, k, v = (torch.randn(1, H, L, D, device=dev, dtype=torch.bfloat16) for _ in range(3))
    flops = 4.0 * nnz * D * H
    causal_flops = 4.0 * (L * (L + 1) / 2) * D * H
    tf = lambda ms, f: f / (ms * 1e-3) / 1e12
    res = {}
    ms = do_bench(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True), warmup=50, rep=300, return_mode="median")
    res["sdpa_causal_flash_no_branch_rule"] = {"ms": ms, "tflops_causal_pairs": tf(ms, causal_flops)}
    mask = allowed[None, None]
    ms = do_bench(lambda: F.scaled_dot_product_attention(q, k, v, attn_mask=mask), warmup=50, rep=300, return_mode="median")
    res["sdpa_dense_bool_mask"] = {"ms": ms, "tflops_allowed_pairs": tf(ms, flops)}
    try:
        from torch.nn.attention.flex_attention import flex_attention, create_block_mask
        def mask_mod(b, h, qi, ki):
            same = (grp[qi] == grp[ki]) & (grp[qi] > 0) & (br[qi] != br[ki])
            return (ki <= qi) & ~same
        bm = create_block_mask(mask_mod, B=None, H=None, Q_LEN=L, KV_LEN=L, device=dev)
        fa = torch.compile(flex_attention)
        o1 = fa(q, k, v, block_mask=bm)
        o2 = F.scaled_dot_product_attention(q.double(), k.double(), v.double(), attn_mask=mask)
        ms = do_bench(lambda: fa(q, k, v, block_mask=bm), warmup=50, rep=300, return_mode="median")
        res["flex_attention_block_mask"] = {"ms": ms, "tflops_allowed_pairs": tf(ms, flops),
                                            "max_abs_err_vs_fp64": (o1.double() - o2).abs().max().item()}
    except Exception as e:
        res["flex_attention_block_mask"] = {"failed": repr(e)[:300]}
    out["attention"] = {"L": L, "heads": H, "head_dim": D, "allowed_pairs": nnz, "causal_pairs": L * (L + 1) // 2,
                        "results": res}
    print(json.dumps(out["attention"], indent=1), flush=True)
    save()

if "--no-generate" not in sys.argv:
    from transformers import Qwen2Config, Qwen2ForCausalLM
    cfg = Qwen2Config(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                      num_key_value_heads=2, vocab_size=151936, max_position_embeddings=4096,
                      tie_word_embeddings=True)
    torch.set_default_device(dev)
    model = Qwen2ForCausalLM(cfg).to(dtype=torch.bfloat16).eval()
    torch.set_default_device("cpu")
    ids = torch.randint(0, cfg.vocab_size, (1, 512), device=dev)
    new = int(os.environ.get("ASPD_GENERATE_TOKENS", "256"))
    with torch.no_grad():
        model.generate(ids, max_new_tokens=8, min_new_tokens=8, do_sample=False, pad_token_id=0)
        torch.cuda.synchronize(); t = time.perf_counter()
        model.generate(ids, max_new_tokens=new, min_new_tokens=new, do_sample=False, pad_token_id=0)
        torch.cuda.synchronize(); dt = time.perf_counter() - t
    out["generate_qwen2.5-0.5b_shape_batch1"] = {"attn_implementation": model.config._attn_implementation,
                                                  "prompt": 512, "new_tokens": new, "s": dt,
                                                  "tokens_per_s": new / dt, "ms_per_step": 1000 * dt / new}
    print(json.dumps(out["generate_qwen2.5-0.5b_shape_batch1"]), flush=True)
    save()
