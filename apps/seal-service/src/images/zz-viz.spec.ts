import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import pngjs from 'pngjs';
import { extractSealFromScan } from './index';
import { scanJpeg } from './test-images.spec-helper';
it('viz', () => {
  const s = scanJpeg({ seed: 3 });
  writeFileSync('/tmp/sealviz/scan.jpg', s.jpeg);
  const out = extractSealFromScan(s.jpeg);
  // composite on grey checker to see transparency
  const img = pngjs.PNG.sync.read(Buffer.from(out.png));
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
    const o = (y * img.width + x) * 4; const a = img.data[o + 3] / 255; const bg = ((x >> 3) + (y >> 3)) % 2 ? 200 : 120;
    for (let c = 0; c < 3; c++) img.data[o + c] = Math.round(img.data[o + c] * a + bg * (1 - a)); img.data[o + 3] = 255;
  }
  writeFileSync('/tmp/sealviz/out.png', pngjs.PNG.sync.write(img));
  writeFileSync('/tmp/sealviz/scan.png', pngjs.PNG.sync.write(Object.assign(new pngjs.PNG({width: s.width, height: s.height}), { data: Buffer.from((require_jpeg()).decode(s.jpeg, {formatAsRGBA: true}).data) })));
});
import jpeg from 'jpeg-js';
function require_jpeg() { return jpeg; }
