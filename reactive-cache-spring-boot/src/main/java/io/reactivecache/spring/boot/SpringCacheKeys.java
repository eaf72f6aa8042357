package io.reactivecache.spring.boot;

import io.reactivecache.InvalidCacheKeyException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.cache.interceptor.KeyGenerator;

/**
 * Turns the keys Spring hands a cache into the string keys of a view. Internal.
 *
 * <p>A key is its {@code toString()} (as Spring Data Redis does), so {@code 42L} and {@code "42"} are one key. A
 * key whose class does not define {@code toString()} is refused: {@code Object.toString()} holds an identity hash,
 * and such a key would never be found again. Argument lists made by {@link Generator} are rendered with their
 * separators escaped, so two different lists never share a key.
 */
final class SpringCacheKeys {
  private static final ClassValue<Boolean> DEFINES_TO_STRING = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      try {
        return type.getMethod("toString").getDeclaringClass() != Object.class;
      } catch (NoSuchMethodException e) {
        return false;
      }
    }
  };

  private SpringCacheKeys() {}

  static String render(Object key) {
    if (key instanceof Arguments arguments) {
      return arguments.values().stream().map(SpringCacheKeys::escaped).collect(Collectors.joining(",", "(", ")"));
    }
    return escaped(key);
  }

  private static String escaped(Object value) {
    if (value == null) {
      // "\N" cannot come out of escaping a string, which puts '\' only before '\', '(', ')' and ','.
      return "\\N";
    }
    StringBuilder out = new StringBuilder();
    for (char c : text(value).toCharArray()) {
      if (c == '\\' || c == '(' || c == ')' || c == ',') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  private static String text(Object value) {
    if (value instanceof String string) {
      return string;
    }
    if (!DEFINES_TO_STRING.get(value.getClass())) {
      throw new InvalidCacheKeyException("A cache key of type " + value.getClass().getName() + " has no toString()"
          + " of its own, so it cannot be stored: use a key expression (key = \"#product.id\") or give the type a"
          + " toString()");
    }
    return value.toString();
  }

  /** The arguments of a method with zero or several parameters. */
  record Arguments(List<Object> values) {}

  /** One argument is the key itself; zero or several are an {@link Arguments}. */
  static final class Generator implements KeyGenerator {
    @Override
    public Object generate(Object target, Method method, Object... params) {
      if (params.length == 1 && params[0] != null) {
        return params[0];
      }
      return new Arguments(Collections.unmodifiableList(Arrays.asList(params)));
    }
  }
}
