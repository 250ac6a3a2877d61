package region

import (
	"strings"
	"testing"

	"github.com/jiuyebang/jiuyebang/model"
)

func TestShortName(t *testing.T) {
	tests := []struct {
		name  string
		level int
		want  string
	}{
		// Gansu's autonomous prefectures and counties.
		{"临夏回族自治州", model.LevelCity, "临夏州"},
		{"甘南藏族自治州", model.LevelCity, "甘南州"},
		{"东乡族自治县", model.LevelCounty, "东乡县"},
		{"积石山保安族东乡族撒拉族自治县", model.LevelCounty, "积石山县"},
		{"肃南裕固族自治县", model.LevelCounty, "肃南县"},
		{"天祝藏族自治县", model.LevelCounty, "天祝县"},
		{"阿克塞哈萨克族自治县", model.LevelCounty, "阿克塞县"},
		{"肃北蒙古族自治县", model.LevelCounty, "肃北县"},
		{"张家川回族自治县", model.LevelCounty, "张家川县"},
		// Elsewhere: several groups, 各族, a banner, a group without 族.
		{"龙胜各族自治县", model.LevelCounty, "龙胜县"},
		{"大通回族土族自治县", model.LevelCounty, "大通县"},
		{"镇宁布依族苗族自治县", model.LevelCounty, "镇宁县"},
		{"莫力达瓦达斡尔族自治旗", model.LevelCounty, "莫力达瓦旗"},
		{"鄂温克族自治旗", model.LevelCounty, "鄂温克旗"},
		{"鄂伦春自治旗", model.LevelCounty, "鄂伦春旗"},
		{"伊犁哈萨克自治州", model.LevelCity, "伊犁州"},
		{"察布查尔锡伯自治县", model.LevelCounty, "察布查尔县"},
		{"前郭尔罗斯蒙古族自治县", model.LevelCounty, "前郭尔罗斯县"},
		// Ethnic townships; a name that only ends in 族 is left alone.
		{"七墩回族东乡族乡", model.LevelTown, "七墩乡"},
		{"阿力麻土东乡族乡", model.LevelTown, "阿力麻土乡"},
		{"祁丰蔵族乡", model.LevelTown, "祁丰乡"},
		{"杓哇土族乡", model.LevelTown, "杓哇乡"},
		{"腰站子东乡族镇", model.LevelTown, "腰站子镇"},
		{"四族镇", model.LevelTown, "四族镇"},
		{"城关镇", model.LevelTown, "城关镇"},
		// Village committees.
		{"畅家巷社区居委会", model.LevelVillage, "畅家巷社区"},
		{"翠洲社区居民委员会", model.LevelVillage, "翠洲社区"},
		{"桥头社区委会", model.LevelVillage, "桥头社区"},
		{"龙泉村民委员会", model.LevelVillage, "龙泉村"},
		{"龙泉村村民委员会", model.LevelVillage, "龙泉村"},
		{"龙泉村委会", model.LevelVillage, "龙泉村"},
		{"张苏滩村社区", model.LevelVillage, "张苏滩村社区"},
		// Provinces.
		{"甘肃省", model.LevelProvince, "甘肃"},
		{"北京市", model.LevelProvince, "北京"},
		{"宁夏回族自治区", model.LevelProvince, "宁夏"},
		{"广西壮族自治区", model.LevelProvince, "广西"},
		{"新疆维吾尔自治区", model.LevelProvince, "新疆"},
		{"内蒙古自治区", model.LevelProvince, "内蒙古"},
		{"西藏自治区", model.LevelProvince, "西藏"},
		// Plain names stay.
		{"兰州市", model.LevelCity, "兰州市"},
		{"宁县", model.LevelCounty, "宁县"},
		// A typed name (level 0) never gets the province rule.
		{"兰州市", 0, "兰州市"},
		{"东乡族自治县", 0, "东乡县"},
	}
	for _, tt := range tests {
		if got := shortName(tt.name, tt.level); got != tt.want {
			t.Errorf("shortName(%q, %d) = %q, want %q", tt.name, tt.level, got, tt.want)
		}
	}
	if len(ethnicGroups) != 56+2 {
		t.Errorf("ethnicGroups has %d names, want the 56 groups plus 各 and 蔵", len(ethnicGroups))
	}
}

// TestShortNameCountry runs the rule over every autonomous name in the
// embedded data (the whole country's provinces, cities and counties, Gansu's
// towns): each must lose its groups and 自治 and keep its unit word.
func TestShortNameCountry(t *testing.T) {
	rows := embeddedRegions(t, "", model.LevelVillage)
	checked := 0
	for _, r := range rows {
		s := shortName(r.Name, r.Level)
		switch {
		case strings.HasSuffix(r.Name, "自治州") || strings.HasSuffix(r.Name, "自治县") ||
			strings.HasSuffix(r.Name, "自治旗") || strings.HasSuffix(r.Name, "自治区"):
			checked++
			unit := string([]rune(r.Name)[len([]rune(r.Name))-1])
			if r.Level == model.LevelProvince {
				unit = ""
			}
			if strings.Contains(s, "自治") || strings.HasSuffix(strings.TrimSuffix(s, unit), "族") || !strings.HasSuffix(s, unit) || len(s) >= len(r.Name) {
				t.Errorf("%s %s → %q", r.Code, r.Name, s)
			}
		case r.Level == model.LevelTown && strings.Contains(r.Name, "族"):
			checked++
			if s == r.Name && r.Name != "四族镇" {
				t.Errorf("%s %s: ethnic township not shortened", r.Code, r.Name)
			}
		}
	}
	if checked < 140 {
		t.Errorf("only %d autonomous names checked", checked)
	}
}
