import { z } from 'zod';
import { CLIPSCORE_SCALES, clipScore, type ClipScoreScale } from '../../../shared/metrics/clipscore.ts';
import { toJson } from '../../runtime/json.ts';
import { readEmbeddings } from '../../eval/embedding-files.ts';
import { defineCommand } from '../command.ts';

export default defineCommand({
  name: 'metrics clipscore',
  summary: 'CLIPScore ×100 between paired image and text embeddings',
  options: {
    images: { type: 'string', placeholder: 'FILE', description: 'image embeddings: .npy (2-D float32) or JSON [[...], ...]' },
    texts: { type: 'string', placeholder: 'FILE', description: 'text embeddings, row i paired with image row i' },
    scale: { type: 'string', placeholder: 'S', description: 'raw (default): 100·max(cos, 0) | hessel: 100·2.5·max(cos, 0), the scale of the paper\'s 58–80' },
    json: { type: 'boolean', description: 'print {clipscore, scale, pairs, dim} as JSON (clipscore in the chosen scale)' },
  },
  details: `
Mean over pairs of W·max(cos(image_i, text_i), 0): W = 100 (raw, torchmetrics' ×100) or W = 250
(hessel: Hessel et al.'s CLIP-S, w = 2.5, ×100). The paper's CLIPScores (58–80; Table 12's 0.60–0.76)
fit the Hessel scale for ViT-L/14, whose image–text cosines are about 0.2–0.3. Embed images and the
original prompts with the same CLIP model (the paper: ViT-L/14).
Example:
  zipp metrics clipscore --images images.npy --texts prompts.npy --json`,
  schema: z.object({
    images: z.string({ error: 'required: the image embeddings file' }).min(1),
    texts: z.string({ error: 'required: the text embeddings file' }).min(1),
    scale: z.enum(Object.keys(CLIPSCORE_SCALES) as [ClipScoreScale, ...ClipScoreScale[]], { error: 'expected raw or hessel' }).optional(),
    json: z.boolean().optional(),
  }),
  async run(args, io) {
    const [images, texts] = await Promise.all([readEmbeddings(args.images), readEmbeddings(args.texts)]);
    const scale = args.scale ?? 'raw';
    const r = clipScore(images, texts, { scale });
    if (args.json) io.stdout(toJson({ clipscore: r.score, scale, pairs: r.pairs, dim: images.dim }));
    else io.stdout(`CLIPScore ${r.score.toFixed(2)} (${scale}: mean of ${CLIPSCORE_SCALES[scale]}·max(cos, 0) over ${r.pairs} pairs, dim ${images.dim})`);
  },
});
