package io.reactivecache;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Renders key parameters to a canonical text: equal parameters give equal text, different ones different text.
 * Every value is type-tagged and length-prefixed, so no two structures can render alike by concatenation; maps
 * and sets are sorted by their rendering, so insertion order does not matter. Internal: may change without notice.
 */
final class Canonical {
  private Canonical() {}

  /**
   * Renders a value.
   *
   * @param value a string, number, boolean, character, enum, UUID, date/time, optional, map, collection, array,
   *     record or null
   * @return the canonical text
   * @throws InvalidCacheKeyException for a type without a canonical form
   */
  public static String render(Object value) {
    StringBuilder out = new StringBuilder(64);
    append(out, value);
    return out.toString();
  }

  private static void append(StringBuilder out, Object value) {
    if (value == null) {
      out.append('N');
    } else if (value instanceof CharSequence) {
      text(out, 's', value.toString());
    } else if (value instanceof Boolean) {
      out.append((Boolean) value ? 'T' : 'F');
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger) {
      text(out, 'i', value.toString());
    } else if (value instanceof Double || value instanceof Float) {
      text(out, 'd', value.toString());
    } else if (value instanceof BigDecimal) {
      text(out, 'D', ((BigDecimal) value).stripTrailingZeros().toPlainString());
    } else if (value instanceof Character) {
      text(out, 'c', value.toString());
    } else if (value instanceof Enum<?>) {
      Enum<?> e = (Enum<?>) value;
      text(out, 'e', e.getDeclaringClass().getName() + "." + e.name());
    } else if (value instanceof UUID || value instanceof TemporalAccessor) {
      text(out, 't', value.getClass().getName() + "=" + value);
    } else if (value instanceof Optional<?>) {
      Optional<?> o = (Optional<?>) value;
      out.append('o');
      append(out, o.orElse(null));
    } else if (value instanceof Map<?, ?>) {
      List<String> pairs = new ArrayList<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        pairs.add(render(e.getKey()) + render(e.getValue()));
      }
      pairs.sort(null);
      sequence(out, 'm', pairs);
    } else if (value instanceof Set<?>) {
      List<String> items = renderAll((Collection<?>) value);
      items.sort(null);
      sequence(out, 'S', items);
    } else if (value instanceof Collection<?>) {
      sequence(out, 'l', renderAll((Collection<?>) value));
    } else if (value.getClass().isArray()) {
      List<String> items = new ArrayList<>();
      for (int i = 0; i < Array.getLength(value); i++) {
        items.add(render(Array.get(value, i)));
      }
      sequence(out, 'l', items);
    } else if (value instanceof Record) {
      List<String> fields = new ArrayList<>();
      for (RecordComponent component : value.getClass().getRecordComponents()) {
        fields.add(render(component.getName()) + render(read(component, value)));
      }
      text(out, 'r', value.getClass().getName());
      sequence(out, 'R', fields);
    } else {
      throw new InvalidCacheKeyException("A key parameter of type " + value.getClass().getName()
          + " has no canonical form; pass strings, numbers, booleans, enums, UUIDs, dates, collections, maps,"
          + " arrays or records of those, or build the key yourself");
    }
  }

  private static Object read(RecordComponent component, Object record) {
    try {
      java.lang.reflect.Method accessor = component.getAccessor();
      // Records used as key parameters are usually nested or package-private; their accessors are still public
      // methods, only the class is not, so this opens nothing that the record did not already expose.
      accessor.setAccessible(true);
      return accessor.invoke(record);
    } catch (ReflectiveOperationException | SecurityException e) {
      throw new InvalidCacheKeyException("Cannot read record component '" + component.getName() + "' of "
          + record.getClass().getName() + " for a cache key: " + e);
    }
  }

  private static List<String> renderAll(Collection<?> values) {
    List<String> items = new ArrayList<>(values.size());
    for (Object item : values) {
      items.add(render(item));
    }
    return items;
  }

  private static void text(StringBuilder out, char tag, String text) {
    out.append(tag).append(text.length()).append(':').append(text);
  }

  private static void sequence(StringBuilder out, char tag, List<String> items) {
    out.append(tag).append(items.size()).append('[');
    for (String item : items) {
      out.append(item);
    }
    out.append(']');
  }
}
