# Runs a .par file under CPython + NumPy with the oracle prelude: python3 test/oracle/run.py FILE
import __future__
import os, sys
here = os.path.dirname(os.path.abspath(__file__))
src = open(sys.argv[1]).read()
g = {'__name__': '__main__'}
exec(compile(open(os.path.join(here, 'prelude.py')).read(), 'prelude.py', 'exec'), g)
# Annotations such as float64[:] are Par types, not Python expressions: do not evaluate them.
exec(compile(src, sys.argv[1], 'exec', flags=__future__.annotations.compiler_flag, dont_inherit=True), g)
