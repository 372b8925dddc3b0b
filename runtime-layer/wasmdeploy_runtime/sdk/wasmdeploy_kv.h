/* wasmdeploy key-value stores for C guests: the `wasmdeploy_kv` imports.
 *
 * Works in both ABIs (wasi and exports); the function must be granted the store
 * in the manifest (`kv: [STORE]`). Strings are pointer + length (no NUL needed);
 * the *_str helpers take NUL-terminated ones.
 *
 *     #include "wasmdeploy_kv.h"
 *     int64_t visits;
 *     if (wasmdeploy_kv_increment_str("default", "visits", 1, &visits) != 0) { ... }
 *
 * Build with clang or zig cc for wasm32-wasi (or wasm32 with -nostdlib), with
 * -I$(python3 -m wasmdeploy_runtime.sdk c).
 */
#ifndef WASMDEPLOY_KV_H
#define WASMDEPLOY_KV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Negative results. */
#define WASMDEPLOY_KV_NO_KEY (-1)         /* get: no such key */
#define WASMDEPLOY_KV_NOT_GRANTED (-2)    /* the store is not granted to this function */
#define WASMDEPLOY_KV_INVALID_KEY (-3)    /* empty, over 1024 bytes, or not UTF-8 */
#define WASMDEPLOY_KV_VALUE_TOO_LARGE (-4) /* over 393,216 bytes */
#define WASMDEPLOY_KV_UNAVAILABLE (-5)    /* the store did not answer (after retries) */
#define WASMDEPLOY_KV_NOT_AN_INTEGER (-6) /* increment on a value that is not an integer */

#define WASMDEPLOY_KV_MAX_KEY 1024
#define WASMDEPLOY_KV_MAX_VALUE 393216

#define WASMDEPLOY_KV_IMPORT(name) \
    __attribute__((import_module("wasmdeploy_kv"), import_name(#name)))

/* The value's length (copies min(length, buf_cap) bytes to buf; call again with a
 * bigger buffer when needed), or a negative result. */
WASMDEPLOY_KV_IMPORT(get)
int64_t wasmdeploy_kv_get(const char *store, int32_t store_len, const char *key, int32_t key_len,
                          void *buf, int32_t buf_cap);

/* 0, or a negative result. */
WASMDEPLOY_KV_IMPORT(set)
int32_t wasmdeploy_kv_set(const char *store, int32_t store_len, const char *key, int32_t key_len,
                          const void *value, int32_t value_len);

/* 0 (also when the key is absent), or a negative result. */
WASMDEPLOY_KV_IMPORT(delete)
int32_t wasmdeploy_kv_delete(const char *store, int32_t store_len, const char *key,
                             int32_t key_len);

/* 1 present, 0 absent, or a negative result. */
WASMDEPLOY_KV_IMPORT(exists)
int32_t wasmdeploy_kv_exists(const char *store, int32_t store_len, const char *key,
                             int32_t key_len);

/* Adds delta atomically (a missing key counts from 0) and writes the new value to *out;
 * 0, or a negative result. `get` reads the value as decimal text. */
WASMDEPLOY_KV_IMPORT(increment)
int32_t wasmdeploy_kv_increment(const char *store, int32_t store_len, const char *key,
                                int32_t key_len, int64_t delta, int64_t *out);

/* Sets new only if the value is old (old_len -1: only if absent): 1 swapped, 0 the value
 * differs, or a negative result. */
WASMDEPLOY_KV_IMPORT(compare_and_swap)
int32_t wasmdeploy_kv_compare_and_swap(const char *store, int32_t store_len, const char *key,
                                       int32_t key_len, const void *old, int32_t old_len,
                                       const void *new_value, int32_t new_len);

/* The bytes the page of keys starting with prefix after cursor needs; when <= buf_cap the
 * page is in buf: u32le cursor length, the next cursor (empty on the last page), then
 * u32le length + bytes per key. A negative result on error. */
WASMDEPLOY_KV_IMPORT(list_keys)
int64_t wasmdeploy_kv_list_keys(const char *store, int32_t store_len, const char *prefix,
                                int32_t prefix_len, const char *cursor, int32_t cursor_len,
                                void *buf, int32_t buf_cap);

static inline int64_t wasmdeploy_kv_get_str(const char *store, const char *key, void *buf,
                                            int32_t buf_cap) {
    return wasmdeploy_kv_get(store, (int32_t)strlen(store), key, (int32_t)strlen(key), buf,
                             buf_cap);
}

static inline int32_t wasmdeploy_kv_set_str(const char *store, const char *key,
                                            const char *value) {
    return wasmdeploy_kv_set(store, (int32_t)strlen(store), key, (int32_t)strlen(key), value,
                             (int32_t)strlen(value));
}

static inline int32_t wasmdeploy_kv_increment_str(const char *store, const char *key,
                                                  int64_t delta, int64_t *out) {
    return wasmdeploy_kv_increment(store, (int32_t)strlen(store), key, (int32_t)strlen(key),
                                   delta, out);
}

/* Reads the page `buf` holds: *cursor and *cursor_len the next cursor; returns a pointer to
 * the first key record (u32le length + bytes) and sets *end past the last one. */
static inline const uint8_t *wasmdeploy_kv_page(const uint8_t *buf, int64_t size,
                                                const char **cursor, uint32_t *cursor_len,
                                                const uint8_t **end) {
    uint32_t n;
    memcpy(&n, buf, 4);
    *cursor = (const char *)buf + 4;
    *cursor_len = n;
    *end = buf + size;
    return buf + 4 + n;
}

#endif
