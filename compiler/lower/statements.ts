// Lowering of statements: assignments (to names, tuples and subscripts), augmented assignments,
// if/while/for (range, prange with its schedule and reductions, sequences, tuples, strings), with-blocks
// (parallel regions, critical sections) and print.
import type * as A from '../../language/ast.js';
import { Code } from '../../language/diagnostics.js';
import { assignArrayIndex, assignMixed, isArrayIndex, isMixedArrayIndex } from './index-arrays.js';
import type { Span } from '../../language/source.js';
import { type DType, elemOf, isFloat, isInt, promote, type Type } from '../../language/types.js';
import { CTRL, XRANGE_LOOPS } from '../../runtime/protocol.js';
import { pyRepr } from '../../runtime/pyformat.js';
import type * as I from '../ir.js';
import { groupLength, lowerGroup } from './fuse-statements.js';
import { forSequence, lengthOf, listBinary, listMethod, listSetItem } from './lists.js';
import { unpackArray } from './numpy.js';
import { materialize, printString, raiseWith, strBinary, strChar, strNumber } from './strings.js';
import { add32, bin, call, convert, cvt, get, i32, i64, load, memOf, needsUnsigned, select, tripCount, un, vtOf, wrapInt } from '../ir-build.js';
import { asStored, type Slot, type Val } from './values.js';
import { complexArith, printComplex } from './complex.js';
import { iterationStreams } from './random-calls.js';
import { racePrange, raceAccess } from './races.js';
import type { FnLowerer } from './function.js';

type Expr = I.Expr;
type Stmt = I.Stmt;
type VT = I.VT;

export class StatementLowering {
  /** A block's statements; a run of elementwise assignments may fuse into one nest (Note [Statement groups]). */
  stmts(this: FnLowerer, body: A.Stmt[]): void {
    for (let i = 0; i < body.length;) {
      const n = groupLength(this, body, i);
      if (n >= 2 && lowerGroup(this, body.slice(i, i + n) as A.Assign[])) { i += n; continue; }
      this.stmt(body[i++]);
    }
  }

  stmt(this: FnLowerer, s: A.Stmt): void {
    const mark = this.temps.length;
    this.at = s.span;
    this.stmtInner(s);
    this.releaseTemps(mark);
  }

  stmtInner(this: FnLowerer, s: A.Stmt): void {
    switch (s.kind) {
      case 'ExprStmt': {
        const v = this.expr(s.expr);
        if (v.k === 's' && (s.expr.kind === 'Call')) this.emit({ k: 'expr', e: v.e });
        return;
      }
      case 'Assign': {
        if (s.targets.length === 1 && s.targets[0].kind === 'Subscript') return this.assignSubscript(s.targets[0], s.value);
        if (s.targets.length === 1 && s.targets[0].kind === 'Name' && this.assignReusing(s.targets[0], s.value)) return;
        const v = this.expr(s.value);
        for (const t of s.targets) this.assign(t, v, s.value.span);
        return;
      }
      case 'AnnAssign':
        if (s.value) {
          if (s.target.kind === 'Subscript') return this.assignSubscript(s.target, s.value);
          this.assign(s.target, this.expr(s.value), s.value.span);
        }
        return;
      case 'AugAssign': return this.augAssign(s);
      case 'If': {
        const c = this.cond(s.test);
        const then = this.block(() => this.stmts(s.body));
        const els = this.block(() => this.stmts(s.orelse));
        this.emit({ k: 'if', cond: c, then, else: els });
        return;
      }
      case 'While': {
        const label = `while${this.n++}`;
        this.labels.push({ brk: label, cont: label });
        // The condition may allocate (e.g. sum(a) > 0): evaluate it in a block inside the loop.
        const condMark = this.temps.length;
        const pre = this.block(() => {
          const c = this.cond(s.test);
          const cn = this.fresh('cond', 'i32');
          this.set(cn, c);
          this.releaseTemps(condMark);
        });
        const body = this.block(() => this.stmts(s.body));
        this.labels.pop();
        // Where a stop in interruptible code reports (KeyboardInterrupt, TimeoutError).
        const site = this.mod.site(Code.Raised, 'KeyboardInterrupt', s.span);
        if (pre.length === 1 && pre[0].k === 'set') {
          this.emit({ k: 'while', label, cond: (pre[0] as { value: Expr }).value, body, site });
        } else {
          const cn = (pre[pre.length - 1] as { k: 'set'; name: string }).name;
          const cnName = pre.find((x) => x.k === 'set' && x.name.startsWith('cond%')) as { name: string } | undefined;
          const condName = cnName?.name ?? cn;
          this.emit({ k: 'while', label, cond: i32(1), body: [...pre, { k: 'if', cond: un('eqz', 'i32', get(condName, 'i32')), then: [{ k: 'break', label }], else: [] }, ...body], site });
        }
        return;
      }
      case 'For': return this.forStmt(s);
      case 'Break': this.emit({ k: 'break', label: this.labels[this.labels.length - 1].brk }); return;
      case 'Continue': this.emit({ k: 'continue', label: this.labels[this.labels.length - 1].cont }); return;
      case 'Pass': case 'Global': return;
      case 'Return': {
        const vals: Expr[] = [];
        if (s.value && this.ret.kind !== 'none') {
          const v = this.expr(s.value);
          this.flattenReturn(v, this.ret, vals, s.span);
        } else if (s.value) {
          // `return g()` where g returns nothing: the call still runs.
          const v = this.expr(s.value);
          if (v.k === 's' && s.value.kind === 'Call') this.emit({ k: 'expr', e: v.e });
        }
        const frozen = vals.map((e) => this.tmp(e, 'ret'));
        this.releaseTemps(0);
        this.releaseLocals();
        this.emit({ k: 'return', values: frozen });
        return;
      }
      case 'FunctionDef': return;
      case 'With': return this.withStmt(s);
      case 'Raise': {
        const v = s.exc ? this.expr(s.exc) : { k: 'exc' as const, name: 'RuntimeError', msg: 'No active exception to reraise' };
        if (v.k !== 'exc') return;
        if (v.dyn) return raiseWith(this, v.name, v.dyn, s.span);
        const site = this.mod.site(Code.Raised, v.name, s.span, v.msg);
        this.emit(this.trap(this.mod.imp('err_raise', ['i32'], null), i32(site)));
        return;
      }
      case 'Assert': {
        const c = this.cond(s.test);
        const msg = s.msg && s.msg.kind === 'Str' ? s.msg.value : '';
        const site = this.mod.site(Code.Raised, 'AssertionError', s.span, msg);
        // Python evaluates the message only when the assertion fails.
        const fail = s.msg && s.msg.kind !== 'Str' ? this.block(() => raiseWith(this, 'AssertionError', s.msg!, s.span)) : [this.trap(this.mod.imp('err_raise', ['i32'], null), i32(site))];
        this.emit({ k: 'if', cond: un('eqz', 'i32', c), then: fail, else: [] });
        return;
      }
      case 'Import': case 'ImportFrom': return;
    }
  }

  flattenReturn(this: FnLowerer, v: Val, t: Type, out: Expr[], span: Span): void {
    switch (t.kind) {
      case 'scalar': out.push(this.scalarAs(v, t.dtype, span)); return;
      case 'array': if (v.k === 'a') out.push(this.take(v)); return;
      case 'str': { const m = materialize(this, v, span); if (m.k === 'a') out.push(this.take(m)); return; }
      case 'list': if (v.k === 'a') out.push(this.take(v)); return;
      case 'range': case 'rng': case 'complex': return this.flattenReturn(v, asStored(t), out, span);
      case 'tuple': if (v.k === 't') t.elems.forEach((e, i) => this.flattenReturn(v.items[i], e, out, span)); return;
      default: return;
    }
  }

  assign(this: FnLowerer, t: A.Expr, v: Val, span: Span): void {
    if (t.kind === 'Name') {
      const slot = this.slots.get(t.id);
      if (!slot) throw new Error(`internal: no slot for ${t.id}`);
      this.writeSlot(slot, this.coerceTo(v, this.inst.locals.get(t.id) ?? this.mod.cp.globals.get(t.id)!, span), span);
      return;
    }
    if ((t.kind === 'Tuple' || t.kind === 'List') && v.k === 'a') return unpackArray(this, t, v, span);
    if (t.kind === 'Tuple' || t.kind === 'List') {
      if (v.k !== 't') return;
      const parts = v.items.map((it) => this.snapshot(it));
      t.elts.forEach((x, i) => this.assign(x, parts[i], span));
      return;
    }
    if (t.kind === 'Subscript') {
      if (this.type(t.value).kind === 'list') return listSetItem(this, t, v, span);
      // An element or slice target inside a tuple assignment; the value is already evaluated.
      if (isArrayIndex(this, t)) return assignArrayIndex(this, t, v, false);
      if (isMixedArrayIndex(this, t)) return assignMixed(this, t, v, false);
      const base = this.expr(t.value);
      if (base.k !== 'a') return;
      const dst = this.indexArr(base.a, this.indexParts(this.indices(t)), t.span, true);
      if (dst.k === 's') raceAccess(this, dst.e, base.a, t.span, true);
      if (dst.k === 's' && v.k === 's') this.emit({ k: 'store', mem: memOf(base.a.dtype), addr: dst.e, value: convert(v.e, v.dtype, base.a.dtype) });
      else if (dst.k === 'a' && v.k === 's') this.fill(dst.a, convert(v.e, v.dtype, dst.a.dtype), span);
      else if (dst.k === 'a' && v.k === 'a') this.copyInto(dst.a, v.a, span);
    }
  }

  /** Converts a value to a variable's (unified) type: scalar promotion, tuple element-wise. */
  coerceTo(this: FnLowerer, v: Val, t: Type, span: Span): Val {
    if (t.kind === 'scalar' && v.k === 's') return { k: 's', e: convert(v.e, v.dtype, t.dtype), dtype: t.dtype };
    if (t.kind === 'tuple' && v.k === 't') return { k: 't', items: v.items.map((x, i) => this.coerceTo(x, t.elems[i], span)) };
    return v;
  }

  cond(this: FnLowerer, e: A.Expr): Expr {
    const v = this.expr(e);
    if (v.k === 'none') return i32(0);
    if (this.type(e).kind === 'str') return v.k === 'str' ? i32(v.text ? 1 : 0) : bin('ne', 'i64', strNumber(this, 'bool', v, e.span), i64(0));
    if (this.type(e).kind === 'list' || this.type(e).kind === 'range') return bin('ne', 'i64', lengthOf(this, v, this.type(e)), i64(0));
    if (v.k !== 's') throw new Error('internal: non-scalar condition');
    return convert(v.e, v.dtype, 'bool');
  }

  augAssign(this: FnLowerer, s: A.AugAssign): void {
    const tt = this.type(s.target);
    if (tt.kind === 'list' && s.op === '+') {
      // `xs += ys` extends xs itself (other names for the list see it), unlike `xs = xs + ys`.
      const ext: A.Call = { kind: 'Call', func: { kind: 'Attribute', value: s.target, attr: 'extend', attrSpan: s.span, span: s.span }, args: [s.value], keywords: [], span: s.span };
      return void listMethod(this, ext, 'extend', s.target);
    }
    if (tt.kind === 'complex') return this.assign(s.target, complexArith(this, s.op, this.expr(s.target), s.op === '**' ? { k: 'none' } : this.expr(s.value), s.value, s.span), s.span);
    if (tt.kind === 'str' || tt.kind === 'list') {
      const op: A.Binary = { kind: 'Binary', op: s.op, left: s.target, right: s.value, span: s.span };
      this.inst.types.set(op, tt);
      return this.assign(s.target, tt.kind === 'str' ? strBinary(this, op) : listBinary(this, op, tt), s.span);
    }
    if (tt.kind === 'array' || s.target.kind === 'Subscript') {
      // In place: a[...] op= value has NumPy's meaning (no rebinding, result cast to a's dtype).
      const target = s.target;
      const synthetic: A.Binary = { kind: 'Binary', op: s.op, left: target, right: s.value, span: s.span };
      const rt = this.binaryResultType(s.op, tt, this.type(s.value));
      this.inst.types.set(synthetic, rt);
      if (target.kind === 'Subscript') {
        // A single element: compute its address once, then load, combine and store.
        const base = this.expr(target.value);
        const index = this.indices(target);
        if (base.k === 'a' && tt.kind === 'scalar' && index.length === base.a.ndim && index.every((x) => x.kind !== 'Slice')) {
          const addr = this.indexArr(base.a, this.indexParts(index), target.span, true) as { e: Expr };
          const d = base.a.dtype;
          raceAccess(this, addr.e, base.a, target.span, false);
          raceAccess(this, addr.e, base.a, target.span, true);
          const cur: Val = { k: 's', e: load(vtOf(d), memOf(d), addr.e), dtype: d };
          const r = this.binaryScalar(s.op, cur, this.expr(s.value), (rt as { dtype: DType }).dtype, s.span, tt, this.type(s.value)) as { e: Expr; dtype: DType };
          this.emit({ k: 'store', mem: memOf(d), addr: addr.e, value: convert(r.e, r.dtype, d) });
          return;
        }
        return this.assignSubscript(target, synthetic);
      }
      const dst = this.expr(target);
      if (dst.k !== 'a') return;
      this.storeInto(dst.a, synthetic, s.span);
      return;
    }
    const cur = this.expr(s.target);
    const rhs = this.expr(s.value);
    const vt = this.inst.locals.get((s.target as A.Name).id) ?? this.mod.cp.globals.get((s.target as A.Name).id)!;
    const rt = this.binaryResultType(s.op, tt, this.type(s.value));
    const r = this.binaryScalar(s.op, cur, rhs, (rt as { dtype: DType }).dtype, s.span, this.type(s.target), this.type(s.value));
    this.assign(s.target, r, s.span);
    void vt;
  }

  binaryResultType(this: FnLowerer, op: A.BinaryOp, l: Type, r: Type): Type {
    const a = elemOf(l)!, b = elemOf(r)!;
    let p = promote(a, b);
    if (op === '/' && !isFloat(p.dtype)) p = { dtype: 'float64', weak: p.weak };
    else if ((op === '<<' || op === '>>') && !isInt(p.dtype)) p = { dtype: 'int64', weak: p.weak };
    else if (p.dtype === 'bool' && !['&', '|', '^'].includes(op) && !(l.kind === 'array' && r.kind === 'array' && (op === '+' || op === '*'))) p = { dtype: 'int64', weak: p.weak };
    const nd = Math.max(l.kind === 'array' ? l.ndim : 0, r.kind === 'array' ? r.ndim : 0);
    return nd ? { kind: 'array', dtype: p.dtype, ndim: nd } : { kind: 'scalar', dtype: p.dtype, weak: p.weak };
  }

  forStmt(this: FnLowerer, s: A.For): void {
    const target = (s.target as A.Name).id;
    const slot = this.slots.get(target)!;
    const it = s.iter.kind === 'Call' ? this.cur.starCalls.get(s.iter) ?? s.iter : s.iter;
    if (it.kind === 'Call') {
      const r = this.inst.calls.get(it);
      if (r?.kind === 'builtin' && ['range', 'prange', 'p.range', 'p.xrange'].includes(r.name)) {
        const args = it.args.map((a) => this.scalarAs(this.expr(a), (this.type(a) as { dtype: DType }).dtype, a.span)).map((e, i) => this.tmp(convert(e, (this.type(it.args[i]) as { dtype: DType }).dtype, 'int64')));
        const [start, stop, step] = args.length === 1 ? [i64(0), args[0], i64(1)] : args.length === 2 ? [args[0], args[1], i64(1)] : [args[0], args[1], args[2]];
        if (args.length === 3) {
          const site = this.mod.site(Code.ValueError, 'range_step', it.span);
          this.emit({ k: 'if', cond: bin('eq', 'i64', step, i64(0)), then: [this.trap(this.mod.imp('err_value', ['i32'], null), i32(site))], else: [] });
        }
        const label = `for${this.n++}`;
        const iv = this.fresh('i', 'i64');
        const isShare = r.name === 'p.range' || r.name === 'p.xrange';
        this.labels.push({ brk: label, cont: isShare ? label + 'c' : label });
        const stepAst = it.args[2];
        const knownNonNeg = (it.args.length === 1 || this.isNonNeg(it.args[0])) && (!stepAst || (stepAst.kind === 'Int' && stepAst.value > 0n)) && !assignedIn(s.body, target);
        // A prange that draws from np.random gives each iteration its own stream (random-calls.ts).
        const streams = r.name === 'prange' ? iterationStreams(this, s.body, iv, start, step, it.span) : null;
        const races = r.name === 'prange' ? racePrange(this, s.span, iv) : null;
        if (races) this.raceDepth++;
        const body = this.block(() => {
          if (races) this.emit(races.iter);
          if (streams) for (const st of streams.seed) this.emit(st);
          this.writeSlot(slot, { k: 's', e: get(iv, 'i64'), dtype: 'int64' }, s.span);
          if (knownNonNeg) this.nonNeg.add(target);
          this.stmts(s.body);
          this.nonNeg.delete(target);
        });
        if (races) this.raceDepth--;
        this.labels.pop();
        if (r.name === 'p.range' || r.name === 'p.xrange') {
          // A team's share of range(start, stop, step): p.range a contiguous block per thread
          // (static), p.xrange every nt-th iteration (cyclic, which balances uneven iterations).
          const team = this.readSlot(this.slots.get(((it.func as A.Attribute).value as A.Name).id)!) as { k: 'team'; tn: Expr; nt: Expr };
          const trip = this.tmp(tripCount(start, stop, step), 'trip');
          const k = this.fresh('k', 'i64');
          const body2 = [{ k: 'set', name: iv, value: bin('add', 'i64', start, bin('mul', 'i64', get(k, 'i64'), step)) } as Stmt, { k: 'block', body } as Stmt];
          const wrapped: Stmt = { k: 'for', label: label + 'c', v: iv + '.once', t: 'i64', start: i64(0), stop: i64(1), step: i64(1), body: body2 };
          this.locals.set(iv + '.once', 'i64');
          if (r.name === 'p.range') {
            const lo = this.tmp(bin('div_s', 'i64', bin('mul', 'i64', trip, team.tn), team.nt));
            const hi = this.tmp(bin('div_s', 'i64', bin('mul', 'i64', trip, bin('add', 'i64', team.tn, i64(1))), team.nt));
            this.emit({ k: 'for', label, v: k, t: 'i64', start: lo, stop: hi, step: i64(1), body: [wrapped] });
          } else {
            // Dynamic share: claim iterations one at a time from this loop's counter (see XRANGE_LOOPS).
            const seq = this.local('xrange%seq', 'i32');
            const counters = this.tmp(load('i32', 'i32', i32(CTRL.xrange)), 'xr');
            const claim: Expr = { k: 'atomic', t: 'i64', mem: 'i64', op: 'add', addr: add32(counters, bin('shl', 'i32', get(seq, 'i32'), i32(3))), value: i64(1) };
            const dynamic: Stmt[] = [
              { k: 'while', label, cond: i32(1), body: [
                { k: 'set', name: k, value: claim },
                { k: 'if', cond: bin('ge_s', 'i64', get(k, 'i64'), trip), then: [{ k: 'break', label }], else: [] },
                wrapped,
              ] },
            ];
            const cyclic: Stmt[] = [{ k: 'for', label, v: k, t: 'i64', start: team.tn, stop: trip, step: team.nt, body: [wrapped] }];
            // One thread (a region nested in parallel code) runs it all, leaving the counters alone.
            const shared = bin('and', 'i32', bin('ne', 'i32', counters, i32(0)), bin('gt_s', 'i64', team.nt, i64(1)));
            this.emit({ k: 'if', cond: bin('and', 'i32', shared, bin('lt_u', 'i32', get(seq, 'i32'), i32(XRANGE_LOOPS))), then: dynamic, else: cyclic });
            this.set(seq, add32(get(seq, 'i32'), i32(1)));
          }
          return;
        }
        if (r.name === 'prange') {
          const info = this.inst.parloops.get(s);
          const kw = new Map(it.keywords.map((k) => [k.name, k.value] as const));
          const sched = kw.get('schedule');
          const intKw = (n: string) => { const e = kw.get(n); return e ? this.tmp(convert(this.scalarAs(this.expr(e), (this.type(e) as { dtype: DType }).dtype, e.span), (this.type(e) as { dtype: DType }).dtype, 'int64')) : null; };
          const useIf = kw.get('use_threads_if');
          const cluster = kw.get('cluster');
          if (races) this.emit(races.begin);
          this.emit({
            k: 'parfor', label, v: iv, t: 'i64', start, stop, step, body,
            schedule: (sched && sched.kind === 'Str' ? sched.value : 'auto') as I.Schedule,
            chunk: intKw('chunksize'), numThreads: intKw('num_threads'),
            // Numba's @njit without parallel=True runs prange as range: on one thread.
            useIf: !this.options.parallel ? i32(0) : useIf ? this.tmp(this.cond(useIf)) : null,
            reductions: (info?.reductions ?? []).map((rd) => {
              const sl = this.slots.get(rd.name)!;
              const name = sl.k === 's' ? sl.name : rd.name;
              const dt = sl.k === 's' ? sl.dtype : 'float64';
              const op = ({ '+': 'add', '-': 'add', '*': 'mul', '&': 'and', '|': 'or', '^': 'xor', max: 'max', min: 'min' } as const)[rd.op];
              return { name, t: vtOf(dt), op: needsUnsigned(dt) && (op === 'min' || op === 'max') ? `${op}_u` as const : op };
            }),
            line: this.mod.line(s.span),
            ...(cluster?.kind === 'Bool' && !cluster.value ? { cluster: false } : {}),
          });
          if (races) this.emit(races.end);
          // The partials of a narrow integer sum or product were folded in i32: wrap once.
          for (const rd of info?.reductions ?? []) {
            const sl = this.slots.get(rd.name)!;
            if (sl.k === 's' && isInt(sl.dtype) && vtOf(sl.dtype) === 'i32' && sl.dtype !== 'int32') this.set(sl.name, wrapInt(get(sl.name, 'i32'), sl.dtype));
          }
          streams?.after();
        } else {
          this.emit({ k: 'for', label, v: iv, t: 'i64', start, stop, step, body, site: this.mod.site(Code.Raised, 'KeyboardInterrupt', s.span) });
        }
        return;
      }
    }
    if (forSequence(this, s)) return;
    // for x in array: iterate over the first axis.
    const arr = this.expr(it);
    if (arr.k === 't') return this.forTuple(s, slot, arr.items);
    if (this.type(it).kind === 'str') return this.forString(s, slot, this.snapshot(materialize(this, arr, it.span)));
    if (arr.k !== 'a') return;
    const a = arr.a;
    const label = `for${this.n++}`;
    const iv = this.fresh('i', 'i32');
    this.labels.push({ brk: label, cont: label });
    const body = this.block(() => {
      const mark = this.temps.length;
      const el = this.indexArr(a, [{ k: 'int', e: cvt('i32->i64', get(iv, 'i32')), span: it.span }], it.span, false);
      this.writeSlot(slot, el, s.span);
      this.releaseTemps(mark);
      this.stmts(s.body);
    });
    this.labels.pop();
    this.emit({ k: 'for', label, v: iv, t: 'i32', start: i32(0), stop: a.shape[0], step: i32(1), body });
  }

  /** for x in (e0, e1, ...): the items (scalars of one dtype, evaluated once, first) by a counted loop. */
  forTuple(this: FnLowerer, s: A.For, slot: Slot, items: Val[]): void {
    // Arrays and strings are picked by descriptor (kept alive by the tuple's evaluation, this statement).
    const arrays = items[0].k !== 's';
    const vals = items.map((v) => {
      const m = materialize(this, v, s.iter.span);
      return m.k === 'a' ? { e: this.tmp(m.a.desc), dtype: 'int32' as DType, a: m.a } : { e: this.tmp((m as { e: Expr }).e), dtype: (m as { dtype: DType }).dtype, a: null };
    });
    const label = `for${this.n++}`;
    const iv = this.fresh('i', 'i32');
    const pick = vals.slice(1).reduce((acc: Expr, v, k) => select(vtOf(v.dtype), bin('eq', 'i32', get(iv, 'i32'), i32(k + 1)), v.e, acc), vals[0].e);
    this.labels.push({ brk: label, cont: label });
    const body = this.block(() => {
      const first = vals[0].a;
      this.writeSlot(slot, arrays && first ? { k: 'a', a: this.arrFromDesc(pick, first.dtype, first.ndim), owned: false } : { k: 's', e: pick, dtype: vals[0].dtype }, s.span);
      this.stmts(s.body);
    });
    this.labels.pop();
    this.emit({ k: 'for', label, v: iv, t: 'i32', start: i32(0), stop: i32(vals.length), step: i32(1), body });
  }

  /** for ch in s: the characters of a string, one by one. */
  forString(this: FnLowerer, s: A.For, slot: Slot, str: Val): void {
    const n = this.tmp(strNumber(this, 'len', str, s.iter.span), 'n');
    const label = `for${this.n++}`;
    const iv = this.fresh('i', 'i64');
    this.labels.push({ brk: label, cont: label });
    const body = this.block(() => {
      const mark = this.temps.length;
      this.writeSlot(slot, strChar(this, str, get(iv, 'i64'), s.iter.span), s.span);
      this.releaseTemps(mark);
      this.stmts(s.body);
    });
    this.labels.pop();
    this.emit({ k: 'for', label, v: iv, t: 'i64', start: i64(0), stop: n, step: i64(1), body });
  }

  /** Whether an index expression is provably non-negative, so it needs no wrap-around. */
  isNonNeg(this: FnLowerer, e: A.Expr): boolean {
    switch (e.kind) {
      case 'Int': return e.value >= 0n;
      case 'Name': return this.nonNeg.has(e.id);
      case 'Binary': return (e.op === '+' || e.op === '*' || e.op === '//' || e.op === '%') && this.isNonNeg(e.left) && this.isNonNeg(e.right);
      case 'Call': return e.func.kind === 'Name' && e.func.id === 'len';
      default: return false;
    }
  }

  withStmt(this: FnLowerer, s: A.With): void {
    if (s.items.length === 0) return this.stmts(s.body);
    const item = s.items[0];
    const ctx = item.context;
    const r = ctx.kind === 'Call' ? this.inst.calls.get(ctx) : undefined;
    if (r?.kind === 'builtin' && r.name === 'parallel') {
      const kw = new Map(ctx.kind === 'Call' ? ctx.keywords.map((k) => [k.name, k.value] as const) : []);
      const nt = kw.get('num_threads');
      const iff = kw.get('if_');
      const tn = this.fresh('tn', 'i64'), ntv = this.fresh('nt', 'i64');
      const numThreads = nt && nt.kind !== 'None' ? this.tmp(convert(this.scalarAs(this.expr(nt), (this.type(nt) as { dtype: DType }).dtype, nt.span), (this.type(nt) as { dtype: DType }).dtype, 'int64')) : null;
      const useIf = iff ? this.tmp(this.cond(iff)) : null;
      if (item.asName) this.writeSlot(this.slots.get(item.asName)!, { k: 'team', tn: get(tn, 'i64'), nt: get(ntv, 'i64') }, s.span);
      const body = this.block(() => {
        // Each thread numbers the p.xrange loops it meets from 0 (see XRANGE_LOOPS).
        this.set(this.local('xrange%seq', 'i32'), i32(0));
        if (item.asName) this.writeSlot(this.slots.get(item.asName)!, { k: 'team', tn: get(tn, 'i64'), nt: get(ntv, 'i64') }, s.span);
        this.stmts(s.body);
      });
      this.emit({ k: 'region', body, numThreads, useIf, threadNum: tn, numThreadsVar: ntv, line: this.mod.line(s.span) });
      return;
    }
    // with p.lock: a critical section for the team.
    this.emit({ k: 'expr', e: call('__team_lock', null) });
    this.stmts(s.body);
    this.emit({ k: 'expr', e: call('__team_unlock', null) });
  }

  print(this: FnLowerer, e: A.Call, _team: boolean): void {
    const imp = (n: string, params: VT[]) => this.mod.imp(n, params, null);
    const text = (s: string) => this.emit({ k: 'expr', e: call(imp('print_text', ['i32']), null, i32(this.mod.str(s))) });
    // sep= and end= are strings (None: the default); evaluated, as Python does, after the values.
    const one = (v: Val, t: Type, repr: boolean) => {
      if (t.kind === 'complex') return printComplex(this, v);
      if (((t.kind === 'str' || t.kind === 'list') && v.k === 'a') || t.kind === 'range') return printString(this, v, t, repr);
      switch (v.k) {
        case 's': {
          // Integers other than int32 print through int64 (uint64 as its unsigned value).
          const d = v.dtype === 'bool' || v.dtype === 'int32' || isFloat(v.dtype) || v.dtype === 'uint64' ? v.dtype : 'int64';
          const fn = { bool: 'print_bool', int32: 'print_i32', int64: 'print_i64', uint64: 'print_u64', float32: 'print_f32', float64: 'print_f64' }[d as 'bool'];
          this.emit({ k: 'expr', e: call(imp(fn, [vtOf(d), 'i32']), null, convert(v.e, v.dtype, d), i32(repr ? 1 : 0)) });
          return;
        }
        case 'a': this.emit({ k: 'expr', e: call(imp('print_array', ['i32', 'i32']), null, v.a.desc, i32(repr ? 1 : 0)) }); return;
        case 't': {
          const et = (t as { elems: Type[] }).elems;
          text('(');
          v.items.forEach((it, i) => { if (i) text(', '); one(it, et[i], true); });
          if (v.items.length === 1) text(',');
          text(')');
          return;
        }
        case 'str': text(repr ? pyRepr({ t: 'str', v: v.text }) : v.text); return;
        case 'none': text('None'); return;
        case 'dtype': text(t.kind === 'dtype' && t.cls ? `<class 'numpy.${v.dtype}'>` : repr ? `dtype('${v.dtype}')` : v.dtype); return;
        default: text(`<${v.k}>`);
      }
    };
    // Python evaluates every argument before printing any of them.
    const vals = e.args.map((a) => this.snapshot(this.expr(a)));
    const keyword = (name: string, dflt: string): Val => {
      const k = e.keywords.find((kw) => kw.name === name)?.value;
      return !k || k.kind === 'None' ? { k: 'str', text: dflt } : this.snapshot(this.expr(k));
    };
    const sep = keyword('sep', ' '), end = keyword('end', '\n');
    const STR: Type = { kind: 'str' };
    vals.forEach((v, i) => {
      if (i) one(sep, STR, false);
      one(v, this.type(e.args[i]), false);
    });
    one(end, STR, false);
    this.emit({ k: 'expr', e: call(imp('print_flush', []), null) });
  }
}

function assignedIn(body: A.Stmt[], name: string): boolean {
  let found = false;
  const visit = (x: unknown): void => {
    if (found || !x || typeof x !== 'object') return;
    if (Array.isArray(x)) { x.forEach(visit); return; }
    const n = x as A.Stmt;
    if ((n.kind === 'Assign' && n.targets.some((t) => t.kind === 'Name' && t.id === name)) || ((n.kind === 'AugAssign' || n.kind === 'AnnAssign') && n.target.kind === 'Name' && n.target.id === name)
      || (n.kind === 'For' && n.target.kind === 'Name' && n.target.id === name)) { found = true; return; }
    if (n.kind === 'Assign' && n.targets.some((t) => t.kind === 'Tuple' && t.elts.some((e) => e.kind === 'Name' && e.id === name))) { found = true; return; }
    for (const [k, v] of Object.entries(n)) if (k !== 'span' && v && typeof v === 'object') visit(v);
  };
  visit(body);
  return found;
}
