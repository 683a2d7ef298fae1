"""Record linkage: department lists (户籍, 居住证, 学籍, benefits, disability, justice, births, deaths)
imported as dated snapshots, normalised, linked into one person index (exact on a valid ID number,
then Splink), clerical review, and discovery rules that raise verification tasks for directors."""
