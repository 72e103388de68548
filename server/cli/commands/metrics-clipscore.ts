import { z } from 'zod';
import { clipScore } from '../../../shared/metrics/clipscore.ts';
import { asUsage } from '../../eval/cli-args.ts';
import { numberFlag } from '../flags.ts';
import { toJson } from '../../runtime/json.ts';
import { readEmbeddings } from '../../eval/embedding-files.ts';
import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'metrics clipscore',
  summary: 'CLIPScore ×100 between paired image and text embeddings',
  options: {
    images: { type: 'string', placeholder: 'FILE', description: 'image embeddings: .npy (2-D float32) or JSON [[...], ...]' },
    texts: { type: 'string', placeholder: 'FILE', description: 'text embeddings, row i paired with image row i' },
    weight: { type: 'string', placeholder: 'W', description: 'scale of each clamped cosine (default 100; Hessel et al. use 2.5)' },
    json: { type: 'boolean', description: 'print {clipscore, pairs, dim} as JSON' },
  },
  details: `
Mean over pairs of W·max(cos(image_i, text_i), 0). Embed images and the original prompts with the same
CLIP model (the paper: ViT-L/14).
Example:
  zipp metrics clipscore --images images.npy --texts prompts.npy --json`,
  schema: z.object({
    images: z.string({ error: 'required: the image embeddings file' }).min(1),
    texts: z.string({ error: 'required: the text embeddings file' }).min(1),
    weight: numberFlag().optional(),
    json: z.boolean().optional(),
  }),
  run: (args, io) =>
    asUsage(async () => {
      const [images, texts] = await Promise.all([readEmbeddings(args.images), readEmbeddings(args.texts)]);
      const r = clipScore(images, texts, { weight: args.weight ?? 100 });
      if (args.json) io.stdout(toJson({ clipscore: r.score, pairs: r.pairs, dim: images.dim }));
      else io.stdout(`CLIPScore ${r.score.toFixed(2)} (mean of ${args.weight ?? 100}·max(cos, 0) over ${r.pairs} pairs, dim ${images.dim})`);
    }),
});
