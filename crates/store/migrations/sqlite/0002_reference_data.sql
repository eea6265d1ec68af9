-- District reference data (../shared/reference/README.md); editable afterwards.
INSERT INTO subdistricts (code, name, sort_order) VALUES
 ('310110001', '定海路街道', 1), ('310110006', '平凉路街道', 2), ('310110008', '江浦路街道', 3),
 ('310110009', '四平路街道', 4), ('310110012', '控江路街道', 5), ('310110013', '长白新村街道', 6),
 ('310110015', '延吉新村街道', 7), ('310110016', '殷行街道', 8), ('310110018', '大桥街道', 9),
 ('310110019', '五角场街道', 10), ('310110020', '新江湾城街道', 11), ('310110021', '长海路街道', 12);

INSERT INTO service_fields (code, name, sort_order) VALUES
 ('BUSINESS', '工商业服务', 1), ('AGRICULTURE', '农业及农村发展', 2), ('SCIENCE', '科技与研究', 3),
 ('EDUCATION', '教育', 4), ('HEALTH', '卫生', 5), ('CULTURE', '文化', 6), ('SPORTS', '体育', 7),
 ('ECOLOGY', '生态环境', 8), ('SOCIAL_SERVICE', '社会服务', 9), ('LAW', '法律', 10),
 ('RELIGION', '宗教', 11), ('PROFESSIONAL', '职业及从业者组织', 12),
 ('INTERNATIONAL', '国际及其他涉外组织', 13), ('OTHER', '其他', 14);
