package io.reactivecache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * Key builders equivalent to the seed's {@code make_cache_key} and {@code make_model_cache_key}.
 */
public final class CacheKeys {
  /** The namespace used when none is given. */
  public static final String DEFAULT_NAMESPACE = "reactive-cache";

  private CacheKeys() {}

  /**
   * Makes the key of an operation on a model: {@code namespace:model:operation:sha256(params)}.
   *
   * @param model the model, such as {@code "res.partner"}
   * @param operation the operation, such as {@code "search"}
   * @param params the parameters (maps are sorted, so their order does not matter); may be empty
   * @return the key, tagged with the model
   */
  public static CacheKey make(String model, String operation, Map<String, ?> params) {
    return make(model, operation, params, DEFAULT_NAMESPACE, true);
  }

  /**
   * Makes the key of an operation on a model, with every option of the seed's {@code make_cache_key}.
   *
   * @param model the model
   * @param operation the operation
   * @param params the parameters; may be empty
   * @param namespace the namespace
   * @param includeHash true to replace the parameters by their SHA-256 digest, false to keep them readable
   * @return the key, tagged with the model
   */
  public static CacheKey make(String model, String operation, Map<String, ?> params, String namespace,
      boolean includeHash) {
    return CacheKey.builder(namespace).model(model).operation(operation).params(params).includeHash(includeHash)
        .build();
  }

  /**
   * Makes the key of one record of a model: {@code namespace:model:record:ID[:sha256(fields)]}.
   *
   * @param model the model
   * @param recordId the record's id
   * @param fields the fields read (order does not matter); empty for all fields
   * @return the key, tagged with the model
   */
  public static CacheKey modelKey(String model, long recordId, Collection<String> fields) {
    return modelKey(model, List.of(recordId), fields, DEFAULT_NAMESPACE);
  }

  /**
   * Makes the key of several records of a model: {@code namespace:model:record:ID,ID,…[:sha256(fields)]}. The ids
   * keep their order, because a read of {@code [1, 2]} returns records in that order.
   *
   * @param model the model
   * @param recordIds the records' ids, not empty
   * @param fields the fields read (order does not matter); empty for all fields
   * @param namespace the namespace
   * @return the key, tagged with the model
   */
  public static CacheKey modelKey(String model, List<Long> recordIds, Collection<String> fields, String namespace) {
    if (recordIds == null || recordIds.isEmpty()) {
      throw new InvalidCacheKeyException("A model key needs at least one record id");
    }
    StringJoiner ids = new StringJoiner(",");
    for (Long id : recordIds) {
      if (id == null) {
        throw new InvalidCacheKeyException("A record id in a model key must not be null");
      }
      ids.add(Long.toString(id));
    }
    CacheKey.Builder key = CacheKey.builder(namespace).model(model).operation("record").part(ids.toString());
    if (fields != null && !fields.isEmpty()) {
      key.param("fields", new ArrayList<>(new TreeSet<>(fields)));
    }
    return key.build();
  }
}
