;; Scores 8-bit vector codes against a 16-bit query, 16 dimensions per SIMD step (code-scan.ts).
;; scores(codes, count, stride, query, out): for each of `count` rows of `stride` bytes (a multiple
;; of 16) starting at `codes`, out[p] = Σ_j code[p][j] · query[j] as i32, where `query` holds
;; `stride` i16 weights. The caller bounds the weights so that no sum overflows.
;; above(codes, count, stride, query, threshold, outIndex, outScore) → n: the same sums, keeping only
;; the rows whose sum is above `threshold` (signed): their row numbers in outIndex[0 .. n) and their
;; sums in outScore[0 .. n), in row order (every row is stored; n advances only for one above).
;; above64(codes, count, query, threshold, outIndex, outScore) → n: `above` for rows of 64 bytes (a
;; 64-dimension collection, the pattern encoder's), the query's 64 weights held in eight registers for
;; the whole run and a row's four steps unrolled: ~30% less time a row than `above` (tmp script, 43k
;; rows of a 1M-row array: ~11 against ~17 ns; ~3.7 against ~5.3 ns in cache).
;; Assembled (wabt) into code-scan-wasm.ts by `UPDATE_CODE_SCAN=1 npx vitest run test/embeddings/inverted-lists.test.ts`.
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
    (local.get $n))
  (func (export "above64") (param $codes i32) (param $count i32) (param $query i32) (param $threshold i32) (param $outIndex i32) (param $outScore i32) (result i32)
    (local $p i32) (local $row i32) (local $n i32) (local $s i32) (local $acc v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128) (local $q4 v128) (local $q5 v128) (local $q6 v128) (local $q7 v128)
    (local.set $q0 (v128.load offset=0 (local.get $query)))
    (local.set $q1 (v128.load offset=16 (local.get $query)))
    (local.set $q2 (v128.load offset=32 (local.get $query)))
    (local.set $q3 (v128.load offset=48 (local.get $query)))
    (local.set $q4 (v128.load offset=64 (local.get $query)))
    (local.set $q5 (v128.load offset=80 (local.get $query)))
    (local.set $q6 (v128.load offset=96 (local.get $query)))
    (local.set $q7 (v128.load offset=112 (local.get $query)))
    (local.set $row (local.get $codes))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $p) (local.get $count)))
        (local.set $acc
          (i32x4.add
            (i32x4.add
              (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (v128.load offset=0 (local.get $row))) (local.get $q0)) (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (v128.load offset=0 (local.get $row))) (local.get $q1)))
              (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (v128.load offset=16 (local.get $row))) (local.get $q2)) (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (v128.load offset=16 (local.get $row))) (local.get $q3))))
            (i32x4.add
              (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (v128.load offset=32 (local.get $row))) (local.get $q4)) (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (v128.load offset=32 (local.get $row))) (local.get $q5)))
              (i32x4.add (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (v128.load offset=48 (local.get $row))) (local.get $q6)) (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (v128.load offset=48 (local.get $row))) (local.get $q7))))))
        ;; the four lanes' sum: the high half onto the low, then lanes 0 + 1
        (local.set $acc (i32x4.add (local.get $acc) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc))))
        (local.set $s (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc))))
        (i32.store (i32.add (local.get $outIndex) (i32.shl (local.get $n) (i32.const 2))) (local.get $p))
        (i32.store (i32.add (local.get $outScore) (i32.shl (local.get $n) (i32.const 2))) (local.get $s))
        (local.set $n (i32.add (local.get $n) (i32.gt_s (local.get $s) (local.get $threshold))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $row (i32.add (local.get $row) (i32.const 64)))
        (br $rows)))
    (local.get $n))
)
