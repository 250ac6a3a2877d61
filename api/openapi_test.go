package api

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/jiuyebang/jiuyebang/model"
	"github.com/jiuyebang/jiuyebang/service/apperr"
	"github.com/jiuyebang/jiuyebang/service/clock"
	"github.com/jiuyebang/jiuyebang/service/region"
	"github.com/jiuyebang/jiuyebang/service/status"
)

// The API description lives in docs/openapi.yaml. These tests keep it honest:
// every route the engine registers is documented and nothing documented is
// gone, the document is OpenAPI 3.1 in shape with every $ref resolving, the
// enums match model/enums.go, and the schemas' properties match the JSON
// field names of the response types.

const oaFile = "../docs/openapi.yaml"

var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// oaLoad reads the document as plain maps and slices.
func oaLoad(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(oaFile)
	if err != nil {
		t.Fatalf("read %s: %v", oaFile, err)
	}
	var v any
	if err := yaml.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s is not valid YAML: %v", oaFile, err)
	}
	doc, ok := oaNormalize(v).(map[string]any)
	if !ok {
		t.Fatalf("%s: the top level is not a mapping", oaFile)
	}
	oaMergeParts(t, doc)
	return doc
}

// oaMergeParts folds docs/openapi-parts/*.yaml into the document: each part
// holds `paths` and `components` of one capability, so capabilities can be
// documented side by side. The API document is docs/openapi.yaml together
// with these parts (docs/README.md says so).
func oaMergeParts(t *testing.T, doc map[string]any) {
	t.Helper()
	parts, _ := filepath.Glob("../docs/openapi-parts/*.yaml")
	for _, p := range parts {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := yaml.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s is not valid YAML: %v", p, err)
		}
		part, _ := oaNormalize(v).(map[string]any)
		for _, section := range []string{"paths"} {
			dst, _ := doc[section].(map[string]any)
			src, _ := part[section].(map[string]any)
			for k, e := range src {
				if _, dup := dst[k]; dup {
					t.Fatalf("%s: %s %s is already documented", p, section, k)
				}
				dst[k] = e
			}
		}
		comps, _ := part["components"].(map[string]any)
		dcomps, _ := doc["components"].(map[string]any)
		for kind, items := range comps {
			dk, _ := dcomps[kind].(map[string]any)
			if dk == nil {
				dk = map[string]any{}
				dcomps[kind] = dk
			}
			for name, e := range items.(map[string]any) {
				if _, dup := dk[name]; dup {
					t.Fatalf("%s: components.%s.%s is already defined", p, kind, name)
				}
				dk[name] = e
			}
		}
	}
}

// oaNormalize turns map[any]any (YAML keys such as an unquoted 200) into
// map[string]any all the way down.
func oaNormalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = oaNormalize(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = oaNormalize(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = oaNormalize(e)
		}
		return x
	}
	return v
}

func oaMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func oaSortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// oaOperations lists "METHOD /path" for every documented operation.
func oaOperations(doc map[string]any) map[string]map[string]any {
	ops := map[string]map[string]any{}
	for path, item := range oaMap(doc["paths"]) {
		for _, m := range oaMethods {
			if op, ok := oaMap(item)[m]; ok {
				ops[strings.ToUpper(m)+" "+path] = oaMap(op)
			}
		}
	}
	return ops
}

var (
	oaGinParam  = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)
	oaParamName = regexp.MustCompile(`\{([^}]+)\}`)
	oaStatusKey = regexp.MustCompile(`^[1-5]([0-9]{2}|XX)$`)
)

// oaPath writes a gin route path in OpenAPI syntax: /labourers/:id → /labourers/{id}.
func oaPath(ginPath string) string { return oaGinParam.ReplaceAllString(ginPath, "{$1}") }

func TestOpenAPICoversRoutes(t *testing.T) {
	doc := oaLoad(t)
	oaCheckShape(t, doc)

	registered := map[string]bool{}
	for _, r := range st.engine.Routes() {
		registered[r.Method+" "+oaPath(r.Path)] = true
	}
	// The development clock's routes exist only with DEV_CLOCK.
	dev := st.deps
	dev.Clock = clock.New()
	dev.Metrics = prometheus.NewRegistry()
	for _, r := range New(dev).Routes() {
		registered[r.Method+" "+oaPath(r.Path)] = true
	}
	ops := oaOperations(doc)
	var undocumented, stale []string
	for k := range registered {
		if ops[k] == nil {
			undocumented = append(undocumented, k)
		}
	}
	for k := range ops {
		if !registered[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(stale)
	t.Logf("routes registered = %d, operations documented = %d, undocumented routes = %d, stale operations = %d",
		len(registered), len(ops), len(undocumented), len(stale))
	if len(undocumented) > 0 {
		t.Errorf("undocumented routes = %d (add them to %s):\n\t%s", len(undocumented), oaFile, strings.Join(undocumented, "\n\t"))
	}
	if len(stale) > 0 {
		t.Errorf("documented operations that no longer exist = %d (remove them from %s):\n\t%s", len(stale), oaFile, strings.Join(stale, "\n\t"))
	}
}

// oaCheckShape checks what an OpenAPI 3.1 document must have, each
// operation's responses and path parameters, and that every $ref resolves.
func oaCheckShape(t *testing.T, doc map[string]any) {
	t.Helper()
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", doc["openapi"])
	}
	info := oaMap(doc["info"])
	if info == nil {
		t.Fatal("info is missing")
	}
	for _, f := range []string{"title", "version"} {
		if s, _ := info[f].(string); strings.TrimSpace(s) == "" {
			t.Errorf("info.%s is missing", f)
		}
	}
	paths := oaMap(doc["paths"])
	if len(paths) == 0 {
		t.Fatal("paths is missing or empty")
	}
	schemes := oaMap(oaMap(doc["components"])["securitySchemes"])
	checkSecurity := func(where string, v any) {
		reqs, ok := v.([]any)
		if v != nil && !ok {
			t.Errorf("%s: security is not a list", where)
		}
		for _, r := range reqs {
			for name := range oaMap(r) {
				if schemes[name] == nil {
					t.Errorf("%s: security scheme %q is not in components.securitySchemes", where, name)
				}
			}
		}
	}
	checkSecurity("top level", doc["security"])

	operationIDs := map[string]string{}
	for _, path := range oaSortedKeys(paths) {
		if !strings.HasPrefix(path, "/") {
			t.Errorf("path %q does not start with /", path)
		}
		item := oaMap(paths[path])
		pathParams := oaParams(t, doc, item["parameters"])
		for _, m := range oaMethods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			where := strings.ToUpper(m) + " " + path
			op := oaMap(raw)
			if op == nil {
				t.Errorf("%s: not a mapping", where)
				continue
			}
			if id, _ := op["operationId"].(string); id != "" {
				if prev, dup := operationIDs[id]; dup {
					t.Errorf("%s: operationId %q already used by %s", where, id, prev)
				}
				operationIDs[id] = where
			}
			responses := oaMap(op["responses"])
			if len(responses) == 0 {
				t.Errorf("%s: no responses", where)
			}
			for code := range responses {
				if code != "default" && !oaStatusKey.MatchString(code) {
					t.Errorf("%s: response key %q is not a status code", where, code)
				}
			}
			checkSecurity(where, op["security"])
			params := map[string]map[string]any{}
			for k, v := range pathParams {
				params[k] = v
			}
			for k, v := range oaParams(t, doc, op["parameters"]) {
				params[k] = v
			}
			// Every {name} in the path is a required path parameter, and no other.
			want := map[string]bool{}
			for _, m := range oaParamName.FindAllStringSubmatch(path, -1) {
				want[m[1]] = true
				p := params["path "+m[1]]
				if p == nil {
					t.Errorf("%s: path parameter %q is not declared", where, m[1])
				} else if p["required"] != true {
					t.Errorf("%s: path parameter %q must be required", where, m[1])
				}
			}
			for k := range params {
				if name, ok := strings.CutPrefix(k, "path "); ok && !want[name] {
					t.Errorf("%s: path parameter %q is not in the path", where, name)
				}
			}
		}
	}

	// Every local $ref (discriminator mappings too) resolves; no external ones.
	var refs int
	oaWalk(doc, "#", func(at string, node map[string]any) {
		if ref, ok := node["$ref"].(string); ok {
			refs++
			if _, err := oaResolve(doc, ref); err != nil {
				t.Errorf("%s: $ref %q: %v", at, ref, err)
			}
		}
		if d := oaMap(node["discriminator"]); d != nil {
			for k, v := range oaMap(d["mapping"]) {
				ref, _ := v.(string)
				if _, err := oaResolve(doc, ref); err != nil {
					t.Errorf("%s: discriminator mapping %q → %q: %v", at, k, v, err)
				}
			}
		}
		// A schema's required names are among its properties.
		if props := oaMap(node["properties"]); props != nil {
			if req, ok := node["required"].([]any); ok {
				for _, r := range req {
					if _, ok := props[fmt.Sprint(r)]; !ok {
						t.Errorf("%s: required %q is not a property", at, r)
					}
				}
			}
		}
	})
	t.Logf("$refs checked = %d", refs)
}

// oaParams resolves a parameter list into "in name" → parameter.
func oaParams(t *testing.T, doc map[string]any, v any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	list, _ := v.([]any)
	for _, p := range list {
		pm := oaMap(p)
		if ref, ok := pm["$ref"].(string); ok {
			r, err := oaResolve(doc, ref)
			if err != nil {
				continue // reported by the $ref walk
			}
			pm = oaMap(r)
		}
		name, _ := pm["name"].(string)
		in, _ := pm["in"].(string)
		if name == "" || in == "" {
			t.Errorf("parameter without name or in: %v", pm)
			continue
		}
		out[in+" "+name] = pm
	}
	return out
}

// oaWalk calls fn for every mapping in the document with its JSON pointer.
func oaWalk(v any, at string, fn func(at string, node map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(at, x)
		for _, k := range oaSortedKeys(x) {
			oaWalk(x[k], at+"/"+strings.NewReplacer("~", "~0", "/", "~1").Replace(k), fn)
		}
	case []any:
		for i, e := range x {
			oaWalk(e, at+"/"+strconv.Itoa(i), fn)
		}
	}
}

// oaResolve follows a local JSON pointer reference.
func oaResolve(doc map[string]any, ref string) (any, error) {
	ptr, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, fmt.Errorf("only local references are used in this document")
	}
	var cur any = doc
	if ptr == "" {
		return cur, nil
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch x := cur.(type) {
		case map[string]any:
			next, ok := x[tok]
			if !ok {
				return nil, fmt.Errorf("%q not found", tok)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, fmt.Errorf("index %q out of range", tok)
			}
			cur = x[i]
		default:
			return nil, fmt.Errorf("%q: not a container", tok)
		}
	}
	return cur, nil
}

// oaSchema returns a component schema, failing when it is missing.
func oaSchema(t *testing.T, doc map[string]any, name string) map[string]any {
	t.Helper()
	s := oaMap(oaMap(oaMap(doc["components"])["schemas"])[name])
	if s == nil {
		t.Fatalf("components.schemas.%s is missing", name)
	}
	return s
}

func TestOpenAPIEnumsMatchModel(t *testing.T) {
	doc := oaLoad(t)
	enums := map[string]model.Enum{
		"Role": model.Roles, "ReportKind": model.StatusReports, "ReviewState": model.ReviewStates,
		"PlaceScope": model.PlaceScopes, "EmploymentForm": model.EmploymentForms, "Industry": model.Industries,
		"ReturnReason": model.ReturnReasons, "NoPlanReason": model.NoPlanReasons,
		"LabourCapacity": model.LabourCapacities, "SkillLevel": model.SkillLevels, "Education": model.Educations,
		"LabourerState": model.LabourerStates, "TempExitReason": model.TempExitReasons,
		"PermExitReason": model.PermExitReasons, "PopulationCategory": model.PopulationCategories,
		"Ethnicity": model.Ethnicities,
	}
	for _, name := range oaSortedKeys(enums) {
		s := oaSchema(t, doc, name)
		codes, _ := s["enum"].([]any)
		labels, hasLabels := s["x-enum-descriptions"].([]any)
		var want, got []string
		for _, o := range enums[name] {
			want = append(want, o.Code+"="+o.Label)
		}
		for i, c := range codes {
			label := fmt.Sprint(c) // Ethnicity: the code is the label
			if hasLabels {
				label = "?"
				if i < len(labels) {
					label = fmt.Sprint(labels[i])
				}
			}
			got = append(got, fmt.Sprint(c)+"="+label)
		}
		if hasLabels && len(labels) != len(codes) {
			t.Errorf("%s: %d codes but %d x-enum-descriptions", name, len(codes), len(labels))
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: document has\n\t%v\nmodel/enums.go has\n\t%v", name, got, want)
		}
	}
	// The status report kinds are the discriminator's mapping.
	var kinds []string
	for k := range oaMap(oaMap(oaSchema(t, doc, "StatusReport")["discriminator"])["mapping"]) {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var wantKinds []string
	for _, o := range model.StatusReports {
		wantKinds = append(wantKinds, o.Code)
	}
	sort.Strings(wantKinds)
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Errorf("StatusReport discriminator maps %v, want %v", kinds, wantKinds)
	}
	// Options lists exactly the groups GET /api/v1/options answers with.
	r := st.do(t, "GET", "/api/v1/options", "", nil)
	if r.Code != 200 {
		t.Fatalf("options: %d %s", r.Code, r.Raw)
	}
	got := oaSortedKeys(oaMap(oaSchema(t, doc, "Options")["properties"]))
	if want := oaSortedKeys(r.Body); !reflect.DeepEqual(got, want) {
		t.Errorf("Options schema has %v, the handler answers %v", got, want)
	}
}

func TestOpenAPISchemasMatchTypes(t *testing.T) {
	doc := oaLoad(t)
	types := map[string]reflect.Type{
		"Error":           reflect.TypeFor[errorBody](),
		"FieldError":      reflect.TypeFor[apperr.FieldError](),
		"TokenPair":       reflect.TypeFor[tokenResponse](),
		"Me":              reflect.TypeFor[meResponse](),
		"Scope":           reflect.TypeFor[scopeView](),
		"DevAccount":      reflect.TypeFor[devAccount](),
		"StatusReport":    reflect.TypeFor[status.Report](),
		"StatusCard":      reflect.TypeFor[cardResponse](),
		"StatusLabourer":  reflect.TypeFor[statusLabourer](),
		"StatusCurrent":   reflect.TypeFor[statusCurrent](),
		"Spell":           reflect.TypeFor[spellView](),
		"ReturnInfo":      reflect.TypeFor[returnView](),
		"Plan":            reflect.TypeFor[planView](),
		"HistoryItem":     reflect.TypeFor[historyItem](),
		"LabourerSummary": reflect.TypeFor[labourerSummary](),
		"LabourerDetail":  reflect.TypeFor[labourerDetail](),
		"LabourerCreate":  reflect.TypeFor[labourerRequest](),
		"Household":       reflect.TypeFor[householdView](),
		"Account":         reflect.TypeFor[accountView](),
		"AuditEntry":      reflect.TypeFor[auditView](),
		"Region":          reflect.TypeFor[regionView](),
		"RegionCandidate": reflect.TypeFor[region.Candidate](),
	}
	for _, name := range oaSortedKeys(types) {
		oaCompare(t, doc, name, oaSchema(t, doc, name), types[name])
	}
}

// oaCompare checks a schema's property names against a Go type's JSON field
// names, descending into inline object properties for struct fields.
func oaCompare(t *testing.T, doc map[string]any, where string, schema map[string]any, typ reflect.Type) {
	t.Helper()
	props := oaProps(doc, schema, 0)
	fields := oaJSONFields(typ)
	var missing, extra []string
	for name := range fields {
		if _, ok := props[name]; !ok {
			missing = append(missing, name)
		}
	}
	for name := range props {
		if _, ok := fields[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("%s: fields of %s not in the schema: %v", where, typ, missing)
	}
	if len(extra) > 0 {
		t.Errorf("%s: schema properties %s does not have: %v", where, typ, extra)
	}
	for _, name := range oaSortedKeys(fields) {
		ft := fields[name]
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		p := props[name]
		if ft.Kind() == reflect.Struct && p != nil && p["$ref"] == nil && p["properties"] != nil {
			oaCompare(t, doc, where+"."+name, p, ft)
		}
	}
}

// oaProps collects a schema's properties through $ref, allOf and oneOf.
func oaProps(doc map[string]any, s map[string]any, depth int) map[string]map[string]any {
	out := map[string]map[string]any{}
	if s == nil || depth > 8 {
		return out
	}
	if ref, ok := s["$ref"].(string); ok {
		r, _ := oaResolve(doc, ref)
		return oaProps(doc, oaMap(r), depth+1)
	}
	for k, v := range oaMap(s["properties"]) {
		out[k] = oaMap(v)
	}
	for _, combo := range []string{"allOf", "oneOf"} {
		list, _ := s[combo].([]any)
		for _, sub := range list {
			for k, v := range oaProps(doc, oaMap(sub), depth+1) {
				out[k] = v
			}
		}
	}
	return out
}

// oaJSONFields lists a struct's JSON field names (embedded structs flattened).
func oaJSONFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			for k, v := range oaJSONFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
