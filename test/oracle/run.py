# Runs a .par file under CPython + NumPy with the oracle prelude: python3 test/oracle/run.py FILE
import __future__
import os, sys
here = os.path.dirname(os.path.abspath(__file__))
src = open(sys.argv[1]).read()
# Files a program reads and writes are relative to its own directory, as `par run` has them. With
# PAR_ORACLE_SCRATCH set (the test suite) the program runs in a fresh directory instead, where its
# directory's data/ folder is visible, so what it writes never lands in the source tree.
script_dir = os.path.dirname(os.path.abspath(sys.argv[1]))
if os.environ.get('PAR_ORACLE_SCRATCH'):
    import atexit, shutil, tempfile
    scratch = tempfile.mkdtemp(prefix='par-oracle-')
    atexit.register(shutil.rmtree, scratch, True)
    if os.path.isdir(os.path.join(script_dir, 'data')):
        os.symlink(os.path.join(script_dir, 'data'), os.path.join(scratch, 'data'))
    os.chdir(scratch)
else:
    os.chdir(script_dir)
g = {'__name__': '__main__'}
exec(compile(open(os.path.join(here, 'prelude.py')).read(), 'prelude.py', 'exec'), g)
# Annotations such as float64[:] are Par types, not Python expressions: do not evaluate them.
exec(compile(src, sys.argv[1], 'exec', flags=__future__.annotations.compiler_flag, dont_inherit=True), g)
