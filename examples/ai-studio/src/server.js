import express from 'express';
import sharp from 'sharp';

const app = express();
app.get('/health', (_req, res) => res.json({ status: 'ok' }));
app.post('/thumbnail', express.raw({ type: 'image/*', limit: '10mb' }), async (req, res) => {
  res.type('image/webp').send(await sharp(req.body).resize(256).webp().toBuffer());
});
app.listen(3000);
