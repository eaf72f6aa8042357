CREATE TABLE IF NOT EXISTS rc_example_product (
  id BIGINT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  price_cents BIGINT NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS rc_example_product_lookups;
