;; Scores 8-bit vector codes against a 16-bit query, 16 dimensions per SIMD step (code-scan.ts).
;; scores(codes, count, stride, query, out): for each of `count` rows of `stride` bytes (a multiple
;; of 16) starting at `codes`, out[p] = Σ_j code[p][j] · query[j] as i32, where `query` holds
;; `stride` i16 weights. The caller bounds the weights so that no sum overflows.
;; above(codes, count, stride, query, threshold, outIndex, outScore) → n: the same sums, keeping only
;; the rows whose sum is above `threshold` (signed): their row numbers in outIndex[0 .. n) and their
;; sums in outScore[0 .. n), in row order (every row is stored; n advances only for one above).
;; Assembled by `node scripts/build-code-scan.mjs` (wabt) into code-scan-wasm.ts.
(module
  (import "env" "memory" (memory 1))
  (func (export "scores") (param $codes i32) (param $count i32) (param $stride i32) (param $query i32) (param $out i32)
    (local $p i32) (local $c i32) (local $row i32) (local $q i32) (local $acc v128) (local $v v128)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $p) (local.get $count)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (local.set $row (i32.add (local.get $codes) (i32.mul (local.get $p) (local.get $stride))))
        (loop $chunks
          (local.set $v (v128.load (i32.add (local.get $row) (local.get $c))))
          (local.set $q (i32.add (local.get $query) (i32.shl (local.get $c) (i32.const 1))))
          (local.set $acc
            (i32x4.add (local.get $acc)
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load (local.get $q)))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $q))))))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br_if $chunks (i32.lt_u (local.get $c) (local.get $stride))))
        (i32.store
          (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 2)))
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $rows))))
  (func (export "above") (param $codes i32) (param $count i32) (param $stride i32) (param $query i32) (param $threshold i32) (param $outIndex i32) (param $outScore i32) (result i32)
    (local $p i32) (local $c i32) (local $row i32) (local $q i32) (local $n i32) (local $s i32) (local $acc v128) (local $v v128)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $p) (local.get $count)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (local.set $row (i32.add (local.get $codes) (i32.mul (local.get $p) (local.get $stride))))
        (loop $chunks
          (local.set $v (v128.load (i32.add (local.get $row) (local.get $c))))
          (local.set $q (i32.add (local.get $query) (i32.shl (local.get $c) (i32.const 1))))
          (local.set $acc
            (i32x4.add (local.get $acc)
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load (local.get $q)))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $q))))))
          (local.set $c (i32.add (local.get $c) (i32.const 16)))
          (br_if $chunks (i32.lt_u (local.get $c) (local.get $stride))))
        (local.set $s
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (i32.store (i32.add (local.get $outIndex) (i32.shl (local.get $n) (i32.const 2))) (local.get $p))
        (i32.store (i32.add (local.get $outScore) (i32.shl (local.get $n) (i32.const 2))) (local.get $s))
        (local.set $n (i32.add (local.get $n) (i32.gt_s (local.get $s) (local.get $threshold))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $rows)))
    (local.get $n)))
