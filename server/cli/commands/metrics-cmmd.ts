import { z } from 'zod';
import { CMMD_ESTIMATORS, cmmd, cmmdWith } from '../../../shared/metrics/cmmd.ts';
import { numberFlag } from '../flags.ts';
import { toJson } from '../../runtime/json.ts';
import { chooseRbfBackend } from '../../eval/cmmd-backend.ts';
import { readEmbeddings } from '../../eval/embedding-files.ts';
import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'metrics cmmd',
  summary: 'CMMD between two sets of image embeddings',
  options: {
    x: { type: 'string', placeholder: 'FILE', description: 'first set of embeddings (e.g. reference images): .npy or JSON' },
    y: { type: 'string', placeholder: 'FILE', description: 'second set (e.g. personalised images)' },
    sigma: { type: 'string', placeholder: 'S', description: 'RBF bandwidth (default 10, as the reference)' },
    scale: { type: 'string', placeholder: 'K', description: 'multiplier of the MMD² (default 1000, as the reference)' },
    estimator: { type: 'string', placeholder: 'E', description: 'biased (default, as google-research/cmmd: diagonal included) | unbiased (diagonal left out)' },
    backend: { type: 'string', placeholder: 'B', description: 'auto | onnxruntime | typescript (default auto: onnxruntime for large sets)' },
    json: { type: 'boolean', description: 'print {cmmd, n_x, n_y, dim, estimator} as JSON' },
  },
  details: `
CLIP-MMD with a Gaussian RBF kernel on L2-normalised embeddings. --estimator biased (default): means over
the full kernel matrices, diagonal included, as google-research/cmmd. --estimator unbiased: the diagonal
k(x_i, x_i) = 1 left out of the within-set means (MMD²_u; needs ≥ 2 embeddings per set, can be slightly
negative), the fair choice for small sets such as one user's images. Lower is closer. Embeddings: CLIP
ViT-L/14 images.
Example:
  zipp metrics cmmd --x reference.npy --y generated.npy`,
  schema: z.object({
    x: z.string({ error: 'required: the first embeddings file' }).min(1),
    y: z.string({ error: 'required: the second embeddings file' }).min(1),
    sigma: numberFlag().optional(),
    scale: numberFlag().optional(),
    estimator: z.enum(CMMD_ESTIMATORS, { error: 'expected biased or unbiased' }).optional(),
    backend: z.enum(['auto', 'onnxruntime', 'typescript'], { error: 'expected auto, onnxruntime or typescript' }).optional(),
    json: z.boolean().optional(),
  }),
  async run(args, io) {
    const [x, y] = await Promise.all([readEmbeddings(args.x), readEmbeddings(args.y)]);
    const options = { sigma: args.sigma ?? 10, scale: args.scale ?? 1000, estimator: args.estimator ?? 'biased' };
    const backend = await chooseRbfBackend(args.backend ?? 'auto', x.rows, y.rows);
    const r = backend ? await cmmdWith(backend, x, y, options).finally(() => backend.release()) : cmmd(x, y, options);
    if (args.json) io.stdout(toJson(r));
    else io.stdout(`CMMD ${r.cmmd.toFixed(4)} (${r.estimator}; n_x ${r.n_x}, n_y ${r.n_y}, dim ${r.dim}; σ ${options.sigma}, ×${options.scale}; ${backend?.name ?? 'typescript'})`);
  },
});
