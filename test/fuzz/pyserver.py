# The CPython + NumPy oracle for the fuzzer, batched: one process runs many programs, each in fresh
# globals with test/oracle/prelude.py (as test/oracle/run.py does), reading one JSON request per line
# ({"src": ...}) and answering one JSON line ({"ok", "out", "error"}). Python startup and NumPy's
# import dominate a small program's run, so paying them once per batch matters.
import __future__
import contextlib, io, json, os, signal, sys, warnings

here = os.path.dirname(os.path.abspath(__file__))
prelude = compile(open(os.path.join(here, '..', 'oracle', 'prelude.py')).read(), 'prelude.py', 'exec')
warnings.simplefilter('ignore')


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


signal.signal(signal.SIGALRM, on_alarm)
for line in sys.stdin:
    req = json.loads(line)
    buf = io.StringIO()
    res = {'ok': True, 'error': None}
    g = {'__name__': '__main__'}
    signal.alarm(int(req.get('timeout', 20)))
    try:
        with contextlib.redirect_stdout(buf):
            exec(prelude, g)
            code = compile(req['src'], 'fuzz.par', 'exec', flags=__future__.annotations.compiler_flag, dont_inherit=True)
            exec(code, g)
    except Timeout:
        res = {'ok': False, 'error': 'Timeout'}
    except BaseException as e:  # the program's own exception: the oracle reports its type
        res = {'ok': False, 'error': type(e).__name__ + ': ' + str(e)}
    finally:
        signal.alarm(0)
    res['out'] = buf.getvalue()
    sys.stdout.write(json.dumps(res) + '\n')
    sys.stdout.flush()
