// The examples menu: the repository's examples/*.par where they exist, plus a few written for the
// playground (playground/examples/*.par). All are also Python programs.
import mandelbrot from '../../examples/mandelbrot.par?raw';
import nbody from '../../examples/nbody.par?raw';
import heat from '../../examples/heat.par?raw';
import blackscholes from '../../examples/blackscholes.par?raw';
import reductions from '../examples/reductions.par?raw';
import region from '../examples/region.par?raw';
import pmap from '../examples/pmap.par?raw';

export const EXAMPLES: { id: string; title: string; source: string }[] = [
  { id: 'mandelbrot', title: 'Mandelbrot set', source: `${mandelbrot}# The picture (imshow is a Par builtin; under Python use matplotlib's).\nimshow(img)\n` },
  { id: 'nbody', title: 'n-body', source: nbody },
  { id: 'heat', title: 'Heat stencil', source: heat },
  { id: 'blackscholes', title: 'Black-Scholes', source: blackscholes },
  { id: 'reductions', title: 'Reductions', source: reductions },
  { id: 'region', title: 'Parallel region with a barrier', source: region },
  { id: 'pmap', title: 'pmap', source: pmap },
];
