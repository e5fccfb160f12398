// kafkajs warns about its default partitioner change on every producer; the tests know.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
