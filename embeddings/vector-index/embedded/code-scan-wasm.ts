/**
 * code-scan.wat assembled (wabt 1.0.39), base64. test/embeddings/inverted-lists.test.ts assembles the
 * source again and fails when these bytes differ; UPDATE_CODE_SCAN=1 on that test rewrites this file.
 */
export const CODE_SCAN_WASM = 'AGFzbQEAAAABCQFgBX9/f39/AAIPAQNlbnYGbWVtb3J5AgABAwIBAAcKAQZzY29yZXMAAAqvAQGsAQIEfwJ7AkADQCAFIAFPDQH9DAAAAAAAAAAAAAAAAAAAAAAhCUEAIQYgACAFIAJsaiEHA0AgByAGav0ABAAhCiADIAZBAXRqIQggCSAK/YcBIAj9AAQA/boBIAr9iAEgCP0ABBD9ugH9rgH9rgEhCSAGQRBqIQYgBiACSQ0ACyAEIAVBAnRqIAn9GwAgCf0bAWogCf0bAiAJ/RsDamo2AgAgBUEBaiEFDAALCws=';
