{#-
    A Vietnamese name without its diacritics ('Xã Mường Chiên' -> 'Xa Muong Chien'; đ -> d).
    DuckDB has strip_accents(); PostgreSQL has it only as the unaccent extension, which the
    loader may not be allowed to create: translate() over the Vietnamese letters instead (the
    names are NFC, as the seeds are written).
-#}
{% macro ascii_name(name) -%}
    replace(replace({{ adapter.dispatch('strip_vietnamese_marks')(name) }}, 'đ', 'd'), 'Đ', 'D')
{%- endmacro %}

{% macro default__strip_vietnamese_marks(name) -%}
    translate({{ name }},
        'àáãảạăằắẵẳặâầấẫẩậèéẽẻẹêềếễểệìíĩỉịòóõỏọôồốỗổộơờớỡởợùúũủụưừứữửựỳýỹỷỵÀÁÃẢẠĂẰẮẴẲẶÂẦẤẪẨẬÈÉẼẺẸÊỀẾỄỂỆÌÍĨỈỊÒÓÕỎỌÔỒỐỖỔỘƠỜỚỠỞỢÙÚŨỦỤƯỪỨỮỬỰỲÝỸỶỴ',
        'aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyAAAAAAAAAAAAAAAAAEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYY')
{%- endmacro %}

{% macro duckdb__strip_vietnamese_marks(name) -%}
    strip_accents({{ name }})
{%- endmacro %}
