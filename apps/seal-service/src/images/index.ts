// Seal pictures: pure image code (no Nest, no database), used by the seal-service's use cases.
export { SealImageError, type SealImageErrorCode } from './seal-image-errors';
export { readImageHeader, sniffImageFormat, type ImageFormat, type ImageHeader } from './image-header';
export { normalizeSealPng, pixelsToMm, SEAL_IMAGE_LIMITS, type NormalizedSealImage, type SealImageLimits } from './seal-image-normalizer';
export { extractSealFromScan, SCAN_LIMITS, type ExtractedSealImage, type ExtractOptions, type ScanLimits } from './seal-scan-extractor';
export { generateSealImage, loadSealFont, defaultSealFont, type GeneratedSealImage, type SealImageSpec } from './seal-image-generator';
