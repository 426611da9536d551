"""Reference errors for test/mathlib.test.ts: reads inputs and Par's results, reports errors in ulps.

usage: mathref.py DIR NAME DTYPE  -- DIR/x.bin, DIR/y.bin (2-argument functions), DIR/out.bin hold
float64 (or float32) arrays. The reference is computed in x87 long double (64-bit significand, so
about 2^-11 ulp of a double), through mpmath for erf. Prints JSON: n, max ulp error, where, the
count not correctly rounded, and the count of exceptional results (inf, nan, zero sign) that differ.
"""
import json, sys
import numpy as np

d, name, dt = sys.argv[1], sys.argv[2], sys.argv[3]
ft = np.float64 if dt == 'f64' else np.float32
x = np.fromfile(f'{d}/x.bin', dtype=ft)
out = np.fromfile(f'{d}/out.bin', dtype=ft)
L = np.longdouble
with np.errstate(all='ignore'):
    if name == 'erf':
        import mpmath
        mpmath.mp.prec = 80
        # through a decimal string: L(mpf) would round to a double first
        ref = np.array([L(mpmath.nstr(mpmath.erf(mpmath.mpf(float(v))), 30)) if np.isfinite(v) else L(np.nan if np.isnan(v) else np.sign(v))
                        for v in x], dtype=L)
    elif name in ('pow', 'hypot'):
        y = np.fromfile(f'{d}/y.bin', dtype=ft)
        ref = (np.power if name == 'pow' else np.hypot)(x.astype(L), y.astype(L))
    else:
        ref = {'exp': np.exp, 'log': np.log, 'exp2': np.exp2, 'expm1': np.expm1, 'log1p': np.log1p, 'log2': np.log2, 'log10': np.log10,
               'sin': np.sin, 'cos': np.cos, 'tanh': np.tanh, 'sinh': np.sinh, 'cosh': np.cosh}[name](x.astype(L))
    rd = ref.astype(ft)  # the correctly rounded result (up to double rounding)
    finite = np.isfinite(rd) & (rd != 0) & np.isfinite(out)
    # ulp of the result: spacing at the reference's magnitude (the smaller one just below a power of 2)
    ulp = np.spacing(np.abs(rd[finite])).astype(L)
    below = np.abs(ref[finite]) < np.abs(rd[finite])
    ulp[below] = np.abs(np.spacing(-np.abs(rd[finite][below]))).astype(L)
    err = np.abs(out[finite].astype(L) - ref[finite]) / ulp
    # exceptional results must match exactly (nan with nan, inf with inf, signed zeros by sign)
    exc = ~finite
    same = (np.isnan(rd[exc]) & np.isnan(out[exc])) | ((rd[exc] == out[exc]) & (np.signbit(rd[exc]) == np.signbit(out[exc])))
    # a tiny result rounding to zero may be the smallest subnormal either way: allow 1 ulp there
    tiny = (rd[exc] == 0) & (np.abs(out[exc]) <= np.finfo(ft).smallest_subnormal) & np.isfinite(ref[exc])
    bad = np.flatnonzero(~(same | tiny))
    i = int(np.argmax(err)) if err.size else 0
    xs = x[finite]
    res = {
        'n': int(x.size), 'max_ulp': float(err.max()) if err.size else 0.0,
        'worst_x': float(xs[i]) if err.size else None,
        'not_cr': int(np.count_nonzero(out[finite] != rd[finite])),
        'exceptional_bad': int(bad.size),
        'bad_examples': [[float(x[exc][j]), float(out[exc][j]), float(rd[exc][j])] for j in bad[:5]],
    }
    if name in ('pow', 'hypot') and err.size:
        res['worst_y'] = float(y[finite][i])
def plain(v):  # JSON without Infinity/NaN literals
    if isinstance(v, list): return [plain(u) for u in v]
    if isinstance(v, dict): return {k: plain(u) for k, u in v.items()}
    return str(v) if isinstance(v, float) and not np.isfinite(v) else v
print(json.dumps(plain(res)))
