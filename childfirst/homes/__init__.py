"""Children's homes (儿童之家): 五有, 1+N, activities, coverage. No personal data is kept here."""
