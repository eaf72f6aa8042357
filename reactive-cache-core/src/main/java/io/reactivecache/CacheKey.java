package io.reactivecache;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A structured cache key: a namespace, optionally the model (entity type) and operation it caches, and the
 * operation's parameters. It renders to one string that cannot collide by concatenation — {@code ("a:b", "c")}
 * and {@code ("a", "b:c")} render differently — with parameters canonicalised (maps and sets sorted) and, by
 * default, replaced by their full SHA-256 digest. A key with a model is tagged with it, so
 * {@link CacheManager#invalidateTag(String)} removes it.
 *
 * <p>Build one with {@link CacheKeys#make} (the seed's {@code make_cache_key}), {@link CacheKeys#modelKey} (the
 * seed's {@code make_model_cache_key}) or {@link #builder(String)}. Immutable and thread-safe; equal when the
 * rendered strings are equal.
 */
public final class CacheKey {
  private final String namespace;
  private final String model;
  private final String operation;
  private final Map<String, Object> params;
  private final String rendered;

  private CacheKey(Builder b) {
    this.namespace = b.namespace;
    this.model = b.model;
    this.operation = b.operation;
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
    StringBuilder key = new StringBuilder(KeyRules.escapeComponent(namespace));
    key.append(':').append(model == null ? "" : KeyRules.escapeComponent(model));
    key.append(':').append(operation == null ? "" : KeyRules.escapeComponent(operation));
    for (String part : b.readableParts) {
      key.append(':').append(KeyRules.escapeComponent(part));
    }
    if (!params.isEmpty()) {
      String canonical = Canonical.render(params);
      key.append(':').append(b.includeHash ? KeyRules.sha256(canonical) : KeyRules.escapeComponent(canonical));
    }
    this.rendered = KeyRules.checked(key.toString());
  }

  /**
   * Starts a key in a namespace.
   *
   * @param namespace the namespace, not empty
   * @return a builder
   */
  public static Builder builder(String namespace) {
    return new Builder(namespace);
  }

  /**
   * Returns the namespace.
   *
   * @return the namespace
   */
  public String namespace() {
    return namespace;
  }

  /**
   * Returns the model (entity type) this key caches, if any.
   *
   * @return the model
   */
  public Optional<String> model() {
    return Optional.ofNullable(model);
  }

  /**
   * Returns the operation this key caches, if any.
   *
   * @return the operation
   */
  public Optional<String> operation() {
    return Optional.ofNullable(operation);
  }

  /**
   * Returns the parameters, in the order given.
   *
   * @return an unmodifiable map
   */
  public Map<String, Object> params() {
    return params;
  }

  /**
   * Returns the tags an entry stored under this key is invalidated by: its model, if any.
   *
   * @return the tags
   */
  public Set<String> tags() {
    return model == null ? Set.of() : Set.of(model);
  }

  /**
   * Returns the rendered key, the string a backend stores under.
   *
   * @return the rendered key
   */
  public String render() {
    return rendered;
  }

  /** The rendered key without its namespace: what a view named after the namespace is given as key. */
  String renderedAfterNamespace() {
    return rendered.substring(KeyRules.escapeComponent(namespace).length() + 1);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CacheKey && ((CacheKey) other).rendered.equals(rendered);
  }

  @Override
  public int hashCode() {
    return rendered.hashCode();
  }

  @Override
  public String toString() {
    return rendered;
  }

  /** Builds a {@link CacheKey}. Not thread-safe. */
  public static final class Builder {
    private final String namespace;
    private String model;
    private String operation;
    private final Map<String, Object> params = new LinkedHashMap<>();
    private final java.util.List<String> readableParts = new java.util.ArrayList<>();
    private boolean includeHash = true;

    private Builder(String namespace) {
      this.namespace = requireText("namespace", namespace);
    }

    /**
     * Sets the model (entity type); the key is tagged with it.
     *
     * @param model the model, such as {@code "res.partner"}
     * @return this builder
     */
    public Builder model(String model) {
      this.model = requireText("model", model);
      return this;
    }

    /**
     * Sets the operation.
     *
     * @param operation the operation, such as {@code "search"}
     * @return this builder
     */
    public Builder operation(String operation) {
      this.operation = requireText("operation", operation);
      return this;
    }

    /**
     * Adds a readable part to the key, after the operation (for example a record id).
     *
     * @param part the part, kept verbatim (escaped)
     * @return this builder
     */
    public Builder part(String part) {
      readableParts.add(Objects.requireNonNull(part, "part"));
      return this;
    }

    /**
     * Adds a parameter. Values must have a canonical form: strings, numbers, booleans, enums, UUIDs, dates,
     * collections, maps, arrays or records of those.
     *
     * @param name the parameter's name
     * @param value the value, may be null
     * @return this builder
     */
    public Builder param(String name, Object value) {
      params.put(requireText("param name", name), value);
      return this;
    }

    /**
     * Adds parameters.
     *
     * @param values the parameters by name
     * @return this builder
     */
    public Builder params(Map<String, ?> values) {
      values.forEach(this::param);
      return this;
    }

    /**
     * Chooses whether parameters are replaced by their SHA-256 digest (the default) or kept readable.
     *
     * @param includeHash true to hash the parameters
     * @return this builder
     */
    public Builder includeHash(boolean includeHash) {
      this.includeHash = includeHash;
      return this;
    }

    /**
     * Builds the key.
     *
     * @return the key
     * @throws InvalidCacheKeyException if a parameter has no canonical form or a part is invalid
     */
    public CacheKey build() {
      return new CacheKey(this);
    }

    private static String requireText(String what, String value) {
      if (value == null || value.isEmpty()) {
        throw new InvalidCacheKeyException("The " + what + " of a cache key must not be "
            + (value == null ? "null" : "empty"));
      }
      return value;
    }
  }
}
