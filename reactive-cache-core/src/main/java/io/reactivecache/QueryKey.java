package io.reactivecache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A structured, immutable description of a query — its model, filter conditions, fields, order, limit and offset —
 * that renders to a {@link CacheKey} tagged with its model: the seed's {@code .filter(...).cache(ttl=300).all()}
 * without a hand-written key. {@link QueryCache} caches a query's rows, count or first row under it.
 *
 * <pre>{@code
 * QueryKey companies = QueryKey.on("res.partner")
 *     .where("is_company", true)
 *     .where("customer_rank__gt", 0)
 *     .fields("name", "email")
 *     .orderBy("name", "id desc")
 *     .limit(20).offset(40);
 * }</pre>
 *
 * <p>What makes two descriptions the same query renders the same key; any other difference renders another key:
 * <ul>
 *   <li>conditions are a map from a field (with its operator, if any, as the caller spells it: {@code
 *       "customer_rank__gt"}) to a value; their order does not matter, nor does the order inside map and set values;
 *       list values keep their order. Values are canonicalised as {@link CacheKey} parameters are (strings, numbers,
 *       booleans, enums, dates, collections, maps, arrays, records, null) and captured when added: changing a mutable
 *       value afterwards does not change the key. {@code 1} and {@code 1L} are the same value; {@code 1} and
 *       {@code 1.0} or {@code "1"} are not;</li>
 *   <li>fields are a set (empty: all fields); the order is a list (it changes the result);</li>
 *   <li>limit (none by default) and offset (0 by default) count rows.</li>
 * </ul>
 * Each method returns a new description; a description is thread-safe. Keys render as
 * {@code query:<model>:<operation>:<SHA-256 of the canonical description>}, so {@code invalidateTag(model)} and
 * {@code deletePattern("query:<model>:*")} reach every cached query of a model.
 */
public final class QueryKey {
  /** The namespace of query keys: the first component of every key a description renders. */
  public static final String NAMESPACE = "query";

  private final String model;
  /** The values as given, for {@link #conditions()}. */
  private final Map<String, @Nullable Object> conditions;
  /** Each condition's value in canonical form, captured when added, by field: what the key is made of. */
  private final Map<String, String> canonicalConditions;
  private final Set<String> fields;
  private final List<String> order;
  private final long limit;
  private final long offset;

  private QueryKey(String model, Map<String, @Nullable Object> conditions, Map<String, String> canonicalConditions,
      Set<String> fields, List<String> order, long limit, long offset) {
    this.model = model;
    this.conditions = conditions;
    this.canonicalConditions = canonicalConditions;
    this.fields = fields;
    this.order = order;
    this.limit = limit;
    this.offset = offset;
  }

  /**
   * Starts the description of a query on a model: all its rows, all fields, no order, no limit.
   *
   * @param model the model (entity or table), such as {@code "res.partner"}; the tag of the keys
   * @return the description
   * @throws InvalidCacheKeyException if the model is null or empty
   */
  public static QueryKey on(String model) {
    return new QueryKey(text("model", model), Map.of(), Map.of(), Set.of(), List.of(), -1, 0);
  }

  /**
   * Adds a condition.
   *
   * @param field the field, with its operator if the query language has one ({@code "age__gte"})
   * @param value the value, possibly null (for "is null")
   * @return a new description with the condition
   * @throws InvalidCacheKeyException if the field is empty, already has a condition (combine both in one value),
   *     or the value has no canonical form
   */
  public QueryKey where(String field, @Nullable Object value) {
    text("condition field", field);
    if (conditions.containsKey(field)) {
      throw new InvalidCacheKeyException("The query on '" + model + "' already has a condition on '" + field
          + "': give each field one condition (a list, range or map value can hold several)");
    }
    String canonical = Canonical.render(value);
    Map<String, @Nullable Object> values = new LinkedHashMap<>(conditions);
    values.put(field, value);
    Map<String, String> canonicals = new TreeMap<>(canonicalConditions);
    canonicals.put(field, canonical);
    return new QueryKey(model, Collections.unmodifiableMap(values), Collections.unmodifiableMap(canonicals), fields,
        order, limit, offset);
  }

  /**
   * Adds conditions, in no particular order (the seed's keyword arguments).
   *
   * @param conditions the values by field
   * @return a new description with the conditions
   * @throws InvalidCacheKeyException as {@link #where(String, Object)}
   */
  public QueryKey where(Map<String, ?> conditions) {
    if (conditions == null) {
      throw new InvalidCacheKeyException("The conditions of a query must not be null (an empty map for none)");
    }
    QueryKey query = this;
    for (Map.Entry<String, ?> condition : conditions.entrySet()) {
      query = query.where(condition.getKey(), condition.getValue());
    }
    return query;
  }

  /**
   * Sets the fields the query reads (a projection), in no particular order; none means all fields.
   *
   * @param fields the fields
   * @return a new description with these fields instead of the previous ones
   * @throws InvalidCacheKeyException if a field is null or empty
   */
  public QueryKey fields(String... fields) {
    return fields(Arrays.asList(required("fields", fields)));
  }

  /**
   * Sets the fields the query reads, in no particular order; none means all fields.
   *
   * @param fields the fields
   * @return a new description with these fields instead of the previous ones
   * @throws InvalidCacheKeyException if a field is null or empty
   */
  public QueryKey fields(Collection<String> fields) {
    Set<String> sorted = new TreeSet<>();
    for (String field : required("fields", fields)) {
      sorted.add(text("field", field));
    }
    return new QueryKey(model, conditions, canonicalConditions, Collections.unmodifiableSet(sorted), order, limit,
        offset);
  }

  /**
   * Sets the order of the rows, as the query language spells it ({@code "name"}, {@code "id desc"}); the order of
   * the terms matters.
   *
   * @param terms the terms, first the most significant
   * @return a new description with this order instead of the previous one
   * @throws InvalidCacheKeyException if a term is null or empty
   */
  public QueryKey orderBy(String... terms) {
    List<String> list = new ArrayList<>();
    for (String term : required("order", terms)) {
      list.add(text("order term", term));
    }
    return new QueryKey(model, conditions, canonicalConditions, fields, List.copyOf(list), limit, offset);
  }

  /**
   * Sets the largest number of rows the query returns.
   *
   * @param limit the limit, at least 0
   * @return a new description with the limit
   * @throws InvalidCacheKeyException if negative
   */
  public QueryKey limit(long limit) {
    if (limit < 0) {
      throw new InvalidCacheKeyException("The limit of a query must be at least 0, not " + limit);
    }
    return new QueryKey(model, conditions, canonicalConditions, fields, order, limit, offset);
  }

  /**
   * Sets how many rows the query skips.
   *
   * @param offset the offset, at least 0 (the default)
   * @return a new description with the offset
   * @throws InvalidCacheKeyException if negative
   */
  public QueryKey offset(long offset) {
    if (offset < 0) {
      throw new InvalidCacheKeyException("The offset of a query must be at least 0, not " + offset);
    }
    return new QueryKey(model, conditions, canonicalConditions, fields, order, limit, offset);
  }

  /**
   * Returns the model.
   *
   * @return the model
   */
  public String model() {
    return model;
  }

  /**
   * Returns the conditions, as given, in the order added.
   *
   * @return an unmodifiable map from field to value
   */
  public Map<String, @Nullable Object> conditions() {
    return conditions;
  }

  /**
   * Returns the fields read.
   *
   * @return an unmodifiable sorted set; empty for all fields
   */
  public Set<String> fields() {
    return fields;
  }

  /**
   * Returns the order terms.
   *
   * @return an unmodifiable list; empty for no order
   */
  public List<String> order() {
    return order;
  }

  /**
   * Returns the limit.
   *
   * @return the limit, or empty for none
   */
  public OptionalLong limit() {
    return limit < 0 ? OptionalLong.empty() : OptionalLong.of(limit);
  }

  /**
   * Returns the offset.
   *
   * @return the offset
   */
  public long offset() {
    return offset;
  }

  /**
   * Renders the key of an operation on this query: {@code query:<model>:<operation>:<SHA-256>}, tagged with the
   * model.
   *
   * @param operation what is cached of the query, such as {@code "all"} or {@code "count"}
   * @return the key
   * @throws InvalidCacheKeyException if the operation is null or empty
   */
  public CacheKey cacheKey(String operation) {
    return cacheKey(operation, null);
  }

  /** As {@link #cacheKey(String)}, with the type of the cached rows as a readable part before the digest. */
  CacheKey cacheKey(String operation, @Nullable String rowType) {
    CacheKey.Builder key = CacheKey.builder(NAMESPACE).model(model).operation(operation);
    if (rowType != null) {
      key.part(rowType);
    }
    return key.params(description()).build();
  }

  /** The description as key parameters: every part, canonical, so that equal queries give equal parameters. */
  private Map<String, @Nullable Object> description() {
    Map<String, @Nullable Object> description = new LinkedHashMap<>();
    description.put("where", canonicalConditions);
    description.put("fields", fields);
    description.put("order", order);
    description.put("limit", limit < 0 ? null : limit);
    description.put("offset", offset);
    return description;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof QueryKey query && query.model.equals(model)
        && Canonical.render(query.description()).equals(Canonical.render(description()));
  }

  @Override
  public int hashCode() {
    return model.hashCode() * 31 + Canonical.render(description()).hashCode();
  }

  @Override
  public String toString() {
    // Condition values are not printed: they may be personal data.
    return "QueryKey{model=" + model + ", where=" + conditions.keySet() + ", fields=" + fields + ", order=" + order
        + (limit < 0 ? "" : ", limit=" + limit) + (offset == 0 ? "" : ", offset=" + offset) + '}';
  }

  private static String text(String what, @Nullable String value) {
    if (value == null || value.isEmpty()) {
      throw new InvalidCacheKeyException("The " + what + " of a query must not be "
          + (value == null ? "null" : "empty"));
    }
    return value;
  }

  private static <V> V required(String what, @Nullable V value) {
    if (value == null) {
      throw new InvalidCacheKeyException("The " + what + " of a query must not be null");
    }
    return value;
  }
}
