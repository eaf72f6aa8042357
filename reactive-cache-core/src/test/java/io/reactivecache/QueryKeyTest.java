package io.reactivecache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link QueryKey}: a query description renders one key whatever the order of its maps and sets, and another key for
 * any semantic difference.
 */
class QueryKeyTest {
  private static final QueryKey BASE = QueryKey.on("res.partner")
      .where("is_company", true)
      .where("customer_rank__gt", 0)
      .fields("name", "email")
      .orderBy("name", "id desc")
      .limit(20)
      .offset(40);

  private static String key(QueryKey query) {
    return query.cacheKey("all").render();
  }

  @Test
  void rendersANamespacedKeyTaggedWithItsModel() {
    CacheKey key = BASE.cacheKey("all");
    assertThat(key.render()).startsWith("query:res.partner:all:").hasSize("query:res.partner:all:".length() + 64);
    assertThat(key.tags()).containsExactly("res.partner");
    assertThat(key.model()).contains("res.partner");
    assertThat(key.namespace()).isEqualTo(QueryKey.NAMESPACE);
    assertThat(BASE.cacheKey("count").render()).startsWith("query:res.partner:count:");
  }

  @Test
  void theOrderOfConditionsFieldsAndMapAndSetValuesDoesNotMatter() {
    Map<String, Object> range = new LinkedHashMap<>();
    range.put("from", 1);
    range.put("to", 9);
    Map<String, Object> rangeReversed = new LinkedHashMap<>();
    rangeReversed.put("to", 9);
    rangeReversed.put("from", 1);
    Set<String> tags = new LinkedHashSet<>(List.of("a", "b", "c"));
    Set<String> tagsReversed = new LinkedHashSet<>(List.of("c", "b", "a"));

    QueryKey one = QueryKey.on("m").where("x", 1).where("rank", range).where("tags", tags).fields("a", "b", "c");
    QueryKey two = QueryKey.on("m").where("tags", tagsReversed).where("rank", rangeReversed).where("x", 1L)
        .fields("c", "a", "b", "a");
    Map<String, Object> conditions = new HashMap<>();
    conditions.put("rank", new TreeMap<>(range));
    conditions.put("x", 1);
    conditions.put("tags", Set.of("b", "a", "c"));
    QueryKey three = QueryKey.on("m").where(conditions).fields(List.of("b", "c", "a"));

    assertThat(key(one)).isEqualTo(key(two)).isEqualTo(key(three));
    assertThat(one).isEqualTo(two).isEqualTo(three).hasSameHashCodeAs(two);
  }

  @Test
  void everySemanticDifferenceRendersAnotherKey() {
    List<QueryKey> variants = List.of(
        BASE,
        QueryKey.on("res.users").where("is_company", true).where("customer_rank__gt", 0).fields("name", "email")
            .orderBy("name", "id desc").limit(20).offset(40),
        QueryKey.on("res.partner").where("is_company", false).where("customer_rank__gt", 0).fields("name", "email")
            .orderBy("name", "id desc").limit(20).offset(40),
        QueryKey.on("res.partner").where("is_company", "true").where("customer_rank__gt", 0)
            .fields("name", "email").orderBy("name", "id desc").limit(20).offset(40),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gte", 0)
            .fields("name", "email").orderBy("name", "id desc").limit(20).offset(40),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gt", 0.0)
            .fields("name", "email").orderBy("name", "id desc").limit(20).offset(40),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gt", 0).fields("name")
            .orderBy("name", "id desc").limit(20).offset(40),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gt", 0).fields("name", "email")
            .orderBy("id desc", "name").limit(20).offset(40),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gt", 0).fields("name", "email")
            .orderBy("name").limit(20).offset(40),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gt", 0).fields("name", "email")
            .orderBy("name", "id desc").limit(21).offset(40),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gt", 0).fields("name", "email")
            .orderBy("name", "id desc").offset(40),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gt", 0).fields("name", "email")
            .orderBy("name", "id desc").limit(20),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gt", 0).where("active", true)
            .fields("name", "email").orderBy("name", "id desc").limit(20).offset(40),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gt", null)
            .fields("name", "email").orderBy("name", "id desc").limit(20).offset(40),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gt", List.of(0))
            .fields("name", "email").orderBy("name", "id desc").limit(20).offset(40),
        QueryKey.on("res.partner").where("is_company", true).where("customer_rank__gt", 0).where("x", "y")
            .fields("name", "email").orderBy("name", "id desc").limit(20).offset(40));
    Set<String> keys = new LinkedHashSet<>();
    variants.forEach(query -> keys.add(key(query)));
    assertThat(keys).hasSize(variants.size());
    assertThat(BASE.cacheKey("all")).isNotEqualTo(BASE.cacheKey("count"));
  }

  @Test
  void listValuesKeepTheirOrderAndSeparatorsCannotCollide() {
    assertThat(key(QueryKey.on("m").where("in", List.of(1, 2))))
        .isNotEqualTo(key(QueryKey.on("m").where("in", List.of(2, 1))));
    assertThat(key(QueryKey.on("a:b").where("c", 1))).isNotEqualTo(key(QueryKey.on("a").where("b:c", 1)));
    assertThat(key(QueryKey.on("m").where("a", "b,c"))).isNotEqualTo(key(QueryKey.on("m").where("a", List.of("b", "c"))));
    assertThat(key(QueryKey.on("m").fields("a,b"))).isNotEqualTo(key(QueryKey.on("m").fields("a", "b")));
    assertThat(key(QueryKey.on("m").where("d", new BigDecimal("1.50"))))
        .isEqualTo(key(QueryKey.on("m").where("d", new BigDecimal("1.5"))));
    assertThat(key(QueryKey.on("m").where("day", LocalDate.of(2026, 1, 1))))
        .isNotEqualTo(key(QueryKey.on("m").where("day", "2026-01-01")));
  }

  @Test
  void aDescriptionIsImmutableAndCapturesValuesWhenTheyAreGiven() {
    List<Integer> ids = new ArrayList<>(List.of(1, 2));
    QueryKey query = QueryKey.on("m").where("id__in", ids);
    String before = key(query);
    ids.add(3);
    assertThat(key(query)).isEqualTo(before);

    QueryKey limited = query.limit(5);
    assertThat(query.limit()).isEmpty();
    assertThat(limited.limit()).hasValue(5);
    assertThat(key(query)).isEqualTo(before);
    assertThatThrownBy(() -> query.conditions().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThat(BASE.fields()).containsExactly("email", "name");
    assertThat(BASE.order()).containsExactly("name", "id desc");
    assertThat(BASE.offset()).isEqualTo(40);
    assertThat(BASE.model()).isEqualTo("res.partner");
  }

  @Test
  void toStringNamesTheFieldsButNotTheValues() {
    assertThat(QueryKey.on("user").where("email", "ada@example.com").toString()).contains("email")
        .doesNotContain("ada@example.com");
  }

  @Test
  void badDescriptionsAreRefusedWithAClearError() {
    assertThatThrownBy(() -> QueryKey.on("")).isInstanceOf(InvalidCacheKeyException.class).hasMessageContaining("model");
    assertThatThrownBy(() -> QueryKey.on(null)).isInstanceOf(InvalidCacheKeyException.class);
    assertThatThrownBy(() -> QueryKey.on("m").where("", 1)).isInstanceOf(InvalidCacheKeyException.class);
    assertThatThrownBy(() -> QueryKey.on("m").where("a", 1).where("a", 2))
        .isInstanceOf(InvalidCacheKeyException.class).hasMessageContaining("already has a condition on 'a'");
    assertThatThrownBy(() -> QueryKey.on("m").where("a", new Object()))
        .isInstanceOf(InvalidCacheKeyException.class).hasMessageContaining("no canonical form");
    assertThatThrownBy(() -> QueryKey.on("m").where(null)).isInstanceOf(InvalidCacheKeyException.class);
    assertThatThrownBy(() -> QueryKey.on("m").fields("a", null)).isInstanceOf(InvalidCacheKeyException.class);
    assertThatThrownBy(() -> QueryKey.on("m").orderBy((String[]) null)).isInstanceOf(InvalidCacheKeyException.class);
    assertThatThrownBy(() -> QueryKey.on("m").limit(-1)).isInstanceOf(InvalidCacheKeyException.class);
    assertThatThrownBy(() -> QueryKey.on("m").offset(-1)).isInstanceOf(InvalidCacheKeyException.class);
    assertThatThrownBy(() -> QueryKey.on("m").cacheKey("")).isInstanceOf(InvalidCacheKeyException.class);
    Map<String, Object> nullField = new HashMap<>();
    nullField.put(null, 1);
    assertThatThrownBy(() -> QueryKey.on("m").where(nullField)).isInstanceOf(InvalidCacheKeyException.class);
  }
}
