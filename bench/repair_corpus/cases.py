"""Broken snippets as models write them, one error each, with a check.

Each case: `id`, the `request` the person typed, the data `files` (from
bench/repair_corpus/data, mounted at /workspace/uploads/<name>; the workspace
header defines `<stem>_path` for each), the `code` the model wrote (the body
after the workspace header, which imports pandas as pd, numpy as np,
matplotlib.pyplot as plt, os, json, csv and defines OUTPUT_DIR), and the
`check` a fixed run must meet: `stdout` (a substring) and/or `file` (a file
the run must save under OUTPUT_DIR). `kind` names the error class.

Some errors depend on the runtime's versions (pandas 1.0 vs 2.2, Python 3.8 vs
3.12): on an older runtime such a case may pass untouched.
"""

from __future__ import annotations

SALES = ["sales.csv"]
DIABETES = ["diabetes.csv"]
CAFES = ["cafes.csv"]

CASES: list[dict] = [
    # --- missing imports ------------------------------------------------------
    {"id": "import_seaborn", "kind": "missing import", "request": "bar chart of units by region", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
sns.set_theme(style="whitegrid")
ax = sns.barplot(x="Region", y="Units", data=df, estimator=sum)
ax.set_title("Units by region")
plt.savefig(f"{OUTPUT_DIR}/units_by_region.png", dpi=120, bbox_inches="tight")
print(f"FILE_SAVED:{OUTPUT_DIR}/units_by_region.png")
''', "check": {"file": "units_by_region.png"}},
    {"id": "import_scipy_stats", "kind": "missing import", "request": "is glucose correlated with BMI?",
     "files": DIABETES, "code": '''df = pd.read_csv(diabetes_path)
r, p = stats.pearsonr(df["Glucose"], df["BMI"])
print(f"Pearson r = {r:.3f} (p = {p:.3g})")
''', "check": {"stdout": "Pearson r ="}},
    {"id": "import_datetime_class", "kind": "missing import", "request": "summarise the sales with today's date",
     "files": SALES, "code": '''df = pd.read_csv(sales_path)
stamp = datetime.now().strftime("%Y-%m-%d")
print(f"Report generated {stamp}")
print("Total units:", int(df["Units"].sum()))
''', "check": {"stdout": "Total units: 710"}},
    {"id": "import_math", "kind": "missing import", "request": "standard error of the mean glucose",
     "files": DIABETES, "code": '''df = pd.read_csv(diabetes_path)
se = df["Glucose"].std() / math.sqrt(len(df))
print("Standard error of mean glucose:", round(se, 3))
''', "check": {"stdout": "Standard error of mean glucose:"}},
    {"id": "import_counter", "kind": "missing import", "request": "which product appears most often?",
     "files": SALES, "code": '''df = pd.read_csv(sales_path)
counts = Counter(df["Product"])
product, n = counts.most_common(1)[0]
print(f"Most frequent product: {product} ({n} orders)")
''', "check": {"stdout": "Most frequent product:"}},
    {"id": "import_sklearn_model", "kind": "missing import", "request": "fit a regression of glucose on BMI and age "
     "and report R^2", "files": DIABETES, "code": '''df = pd.read_csv(diabetes_path)
X = df[["BMI", "Age"]]
y = df["Glucose"]
model = LinearRegression().fit(X, y)
print("R^2:", round(model.score(X, y), 3))
''', "check": {"stdout": "R^2:"}},
    {"id": "import_docx_document", "kind": "missing import", "request": "write a Word document with the totals per "
     "region", "files": SALES, "code": '''df = pd.read_csv(sales_path)
totals = df.groupby("Region")["Units"].sum()
doc = Document()
doc.add_heading("Units per region", level=1)
for region, units in totals.items():
    doc.add_paragraph(f"{region}: {units}")
doc.save(f"{OUTPUT_DIR}/units_per_region.docx")
print(f"FILE_SAVED:{OUTPUT_DIR}/units_per_region.docx")
''', "check": {"file": "units_per_region.docx"}},
    # --- wrong module names ----------------------------------------------------
    {"id": "module_python_docx", "kind": "wrong module name", "request": "export the regional totals as a Word doc",
     "files": SALES, "code": '''import python_docx
df = pd.read_csv(sales_path)
totals = df.groupby("Region")["Units"].sum()
doc = python_docx.Document()
doc.add_heading("Regional totals", 1)
for region, units in totals.items():
    doc.add_paragraph(f"{region}: {units} units")
doc.save(f"{OUTPUT_DIR}/regional_totals.docx")
print(f"FILE_SAVED:{OUTPUT_DIR}/regional_totals.docx")
''', "check": {"file": "regional_totals.docx"}},
    {"id": "module_fpdf2", "kind": "wrong module name", "request": "make a PDF with the total units",
     "files": SALES, "code": '''from fpdf2 import FPDF
df = pd.read_csv(sales_path)
pdf = FPDF()
pdf.add_page()
pdf.set_font("Helvetica", size=14)
pdf.cell(0, 10, f"Total units: {int(df['Units'].sum())}")
pdf.output(f"{OUTPUT_DIR}/total_units.pdf")
print(f"FILE_SAVED:{OUTPUT_DIR}/total_units.pdf")
''', "check": {"file": "total_units.pdf"}},
    {"id": "module_cross_validation", "kind": "wrong module name", "request": "split the diabetes data 80/20 and "
     "report the sizes", "files": DIABETES, "code": '''from sklearn.cross_validation import train_test_split
df = pd.read_csv(diabetes_path)
train, test = train_test_split(df, test_size=0.2, random_state=0)
print("train rows:", len(train), "test rows:", len(test))
''', "check": {"stdout": "train rows: 48 test rows: 12"}},
    {"id": "module_pillow", "kind": "wrong module name", "request": "make a 200x100 blue banner image",
     "files": [], "code": '''from pillow import Image
img = Image.new("RGB", (200, 100), color=(30, 80, 200))
img.save(f"{OUTPUT_DIR}/banner.png")
print(f"FILE_SAVED:{OUTPUT_DIR}/banner.png")
''', "check": {"file": "banner.png"}},
    {"id": "module_scikit_learn", "kind": "wrong module name", "request": "cluster the patients into 3 groups by "
     "glucose and BMI", "files": DIABETES, "code": '''import scikit_learn.cluster
df = pd.read_csv(diabetes_path)
km = scikit_learn.cluster.KMeans(n_clusters=3, n_init=10, random_state=0).fit(df[["Glucose", "BMI"]])
df["cluster"] = km.labels_
print("cluster sizes:", sorted(df["cluster"].value_counts().tolist()))
''', "check": {"stdout": "cluster sizes:"}},
    # --- cannot import name ------------------------------------------------------
    {"id": "cannot_import_typo", "kind": "cannot import name", "request": "fit a linear model of glucose on BMI",
     "files": DIABETES, "code": '''from sklearn.linear_model import LinearRegresion
df = pd.read_csv(diabetes_path)
model = LinearRegresion().fit(df[["BMI"]], df["Glucose"])
print("slope:", round(float(model.coef_[0]), 3))
''', "check": {"stdout": "slope:"}},
    {"id": "cannot_import_json_normalize", "kind": "cannot import name", "request": "flatten these records into a "
     "table", "files": [], "code": '''from pandas.io.json import json_normalize
records = [{"id": 1, "info": {"city": "Paris", "visits": 3}}, {"id": 2, "info": {"city": "Lyon", "visits": 5}}]
flat = json_normalize(records)
print(flat.to_string(index=False))
print("columns:", list(flat.columns))
''', "check": {"stdout": "info.city"}},
    {"id": "cannot_import_collections_abc", "kind": "cannot import name", "request": "flatten a nested list",
     "files": [], "code": '''from collections import Iterable
def flatten(items):
    for item in items:
        if isinstance(item, Iterable) and not isinstance(item, str):
            yield from flatten(item)
        else:
            yield item
print("flat:", list(flatten([1, [2, [3, 4]], "ab"])))
''', "check": {"stdout": "flat: [1, 2, 3, 4, 'ab']"}},
    {"id": "cannot_import_fpdf_enums", "kind": "cannot import name", "request": "a PDF listing the regions",
     "files": SALES, "code": '''from fpdf import FPDF, XPos, YPos
df = pd.read_csv(sales_path)
pdf = FPDF()
pdf.add_page()
pdf.set_font("Helvetica", size=12)
for region in sorted(df["Region"].unique()):
    pdf.cell(0, 8, region, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
pdf.output(f"{OUTPUT_DIR}/regions.pdf")
print(f"FILE_SAVED:{OUTPUT_DIR}/regions.pdf")
''', "check": {"file": "regions.pdf"}},
    # --- wrong columns -------------------------------------------------------------
    {"id": "column_case", "kind": "wrong column", "request": "total units per region", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
totals = df.groupby("region")["units"].sum().sort_values(ascending=False)
print(totals.to_string())
print("Best region:", totals.index[0])
''', "check": {"stdout": "Best region:"}},
    {"id": "column_spacing", "kind": "wrong column", "request": "revenue per product", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
df["revenue"] = df["Units"] * df["unit_price"]
by_product = df.groupby("Product")["revenue"].sum()
print(by_product.round(2).to_string())
print("Total revenue:", round(df["revenue"].sum(), 2))
''', "check": {"stdout": "Total revenue: 3720.0"}},
    {"id": "column_typo", "kind": "wrong column", "request": "average glucose by outcome", "files": DIABETES,
     "code": '''df = pd.read_csv(diabetes_path)
means = df.groupby("Outcome")["Glucoze"].mean().round(1)
print("Mean glucose by outcome:")
print(means.to_string())
''', "check": {"stdout": "Mean glucose by outcome:"}},
    {"id": "column_list", "kind": "wrong column", "request": "show units and price for each order",
     "files": SALES, "code": '''df = pd.read_csv(sales_path)
view = df[["Region", "units", "Unit price"]]
print(view.head().to_string(index=False))
print("rows:", len(view))
''', "check": {"stdout": "rows: 12"}},
    {"id": "column_attribute", "kind": "wrong column", "request": "what is the median BMI?", "files": DIABETES,
     "code": '''df = pd.read_csv(diabetes_path)
print("Median BMI:", df.bmi.median())
''', "check": {"stdout": "Median BMI:"}},
    {"id": "column_seaborn", "kind": "wrong column", "request": "scatter plot of BMI against glucose",
     "files": DIABETES, "code": '''import seaborn as sns
df = pd.read_csv(diabetes_path)
ax = sns.scatterplot(x="bmi", y="glucose", hue="Outcome", data=df)
plt.savefig(f"{OUTPUT_DIR}/bmi_vs_glucose.png", dpi=120)
print(f"FILE_SAVED:{OUTPUT_DIR}/bmi_vs_glucose.png")
''', "check": {"file": "bmi_vs_glucose.png"}},
    {"id": "column_sort", "kind": "wrong column", "request": "top 3 orders by units", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
top = df.sort_values("units", ascending=False).head(3)
print(top[["Region", "Product", "Units"]].to_string(index=False))
print("Largest order:", int(top["Units"].iloc[0]))
''', "check": {"stdout": "Largest order: 120"}},
    # --- paths ---------------------------------------------------------------------
    {"id": "path_relative", "kind": "wrong path", "request": "how many orders are there?", "files": SALES,
     "code": '''df = pd.read_csv("sales.csv")
print("Orders:", len(df))
''', "check": {"stdout": "Orders: 12"}},
    {"id": "path_data_dir", "kind": "wrong path", "request": "how many patients have diabetes?",
     "files": DIABETES, "code": '''df = pd.read_csv("data/diabetes.csv")
print("Patients with diabetes:", int(df["Outcome"].sum()), "of", len(df))
''', "check": {"stdout": "Patients with diabetes:"}},
    {"id": "path_mnt_data", "kind": "wrong path", "request": "describe the sales data", "files": SALES,
     "code": '''df = pd.read_csv("/mnt/data/sales.csv")
print(df.describe().round(2).to_string())
print("columns:", ", ".join(df.columns))
''', "check": {"stdout": "columns: Region, Product, Units, Unit Price, Order Date"}},
    {"id": "path_joined", "kind": "wrong path", "request": "list the products", "files": SALES,
     "code": '''path = os.path.join("uploads", "sales.csv")
df = pd.read_csv(path)
print("Products:", ", ".join(sorted(df["Product"].unique())))
''', "check": {"stdout": "Products: Gadget, Gizmo, Widget"}},
    {"id": "output_subfolder_chart", "kind": "missing output folder", "request": "line chart of units over time",
     "files": SALES, "code": '''df = pd.read_csv(sales_path, parse_dates=["Order Date"])
daily = df.groupby("Order Date")["Units"].sum()
fig, ax = plt.subplots(figsize=(8, 4))
daily.plot(ax=ax, marker="o")
ax.set_title("Units over time")
fig.savefig(f"{OUTPUT_DIR}/charts/units_over_time.png", dpi=120)
print(f"FILE_SAVED:{OUTPUT_DIR}/charts/units_over_time.png")
''', "check": {"file": "units_over_time.png"}},
    {"id": "output_subfolder_excel", "kind": "missing output folder", "request": "export the sales to Excel",
     "files": SALES, "code": '''df = pd.read_csv(sales_path)
df.to_excel(f"{OUTPUT_DIR}/exports/sales.xlsx", index=False)
print(f"FILE_SAVED:{OUTPUT_DIR}/exports/sales.xlsx")
''', "check": {"file": "sales.xlsx"}},
    # --- fences and prose ---------------------------------------------------------------
    {"id": "fenced_code", "kind": "fences", "request": "how many regions are there?", "files": SALES,
     "code": '''```python
df = pd.read_csv(sales_path)
print("Regions:", df["Region"].nunique())
```''', "check": {"stdout": "Regions: 4"}},
    {"id": "prose_around_code", "kind": "prose", "request": "average units per order", "files": SALES,
     "code": '''Here is the code to compute the average:

df = pd.read_csv(sales_path)
print("Average units per order:", round(df["Units"].mean(), 2))

This prints the mean of the Units column.''', "check": {"stdout": "Average units per order: 59.17"}},
    # --- display and input -------------------------------------------------------------------
    {"id": "show_never_saved", "kind": "plt.show without save", "request": "bar chart of units by product",
     "files": SALES, "code": '''df = pd.read_csv(sales_path)
df.groupby("Product")["Units"].sum().plot(kind="bar", color="teal")
plt.title("Units by product")
plt.tight_layout()
plt.show()
''', "check": {"file": "chart.png"}},
    {"id": "show_then_close", "kind": "plt.show without save", "request": "histogram of glucose",
     "files": DIABETES, "code": '''df = pd.read_csv(diabetes_path)
fig, ax = plt.subplots()
ax.hist(df["Glucose"], bins=15, color="steelblue")
ax.set_xlabel("Glucose")
plt.show()
plt.close(fig)
''', "check": {"file": "chart.png"}},
    {"id": "saved_outside_output_dir", "kind": "missing output", "request": "pie chart of orders per region",
     "files": SALES, "code": '''df = pd.read_csv(sales_path)
df["Region"].value_counts().plot.pie(autopct="%1.0f%%")
plt.ylabel("")
plt.savefig("orders_by_region.png")
print("saved orders_by_region.png")
''', "check": {"file": "orders_by_region.png"}},
    {"id": "input_call", "kind": "input()", "request": "show the first rows of the data", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
n = int(input("How many rows? "))
print(df.head(n).to_string(index=False))
print("shown:", min(n, len(df)))
''', "check": {"stdout": "shown: 10"}},
    # --- inplace ---------------------------------------------------------------------------------
    {"id": "inplace_dropna", "kind": "inplace assignment", "request": "clean the data and count rows",
     "files": DIABETES, "code": '''df = pd.read_csv(diabetes_path)
df = df.dropna(inplace=True)
print("Rows after cleaning:", len(df))
''', "check": {"stdout": "Rows after cleaning: 60"}},
    {"id": "inplace_sort", "kind": "inplace assignment", "request": "oldest five patients", "files": DIABETES,
     "code": '''df = pd.read_csv(diabetes_path)
df = df.sort_values("Age", ascending=False, inplace=True)
print(df.head(5)[["Age", "Glucose"]].to_string(index=False))
print("oldest:", int(df["Age"].iloc[0]))
''', "check": {"stdout": "oldest:"}},
    # --- engines and encodings ---------------------------------------------------------------------
    {"id": "engine_xlsxwriter", "kind": "missing engine", "request": "export the totals per region to Excel",
     "files": SALES, "code": '''df = pd.read_csv(sales_path)
totals = df.groupby("Region", as_index=False)["Units"].sum()
totals.to_excel(f"{OUTPUT_DIR}/totals.xlsx", index=False, engine="xlsxwriter")
print(f"FILE_SAVED:{OUTPUT_DIR}/totals.xlsx")
''', "check": {"file": "totals.xlsx"}},
    {"id": "engine_excelwriter", "kind": "missing engine", "request": "an Excel workbook with one sheet per region",
     "files": SALES, "code": '''df = pd.read_csv(sales_path)
with pd.ExcelWriter(f"{OUTPUT_DIR}/by_region.xlsx", engine="xlsxwriter") as writer:
    for region, part in df.groupby("Region"):
        part.to_excel(writer, sheet_name=region, index=False)
print(f"FILE_SAVED:{OUTPUT_DIR}/by_region.xlsx")
''', "check": {"file": "by_region.xlsx"}},
    {"id": "encoding_read_csv", "kind": "encoding", "request": "best rated café", "files": CAFES,
     "code": '''df = pd.read_csv(cafes_path)
best = df.sort_values("Note", ascending=False).iloc[0]
print("Best rated:", best["Café"], best["Note"])
''', "check": {"stdout": "Best rated: La Mère Brazier 4.7"}},
    {"id": "encoding_open", "kind": "encoding", "request": "how many lines does the café file have?",
     "files": CAFES, "code": '''with open(cafes_path) as handle:
    lines = handle.read().splitlines()
print("Lines:", len(lines))
''', "check": {"stdout": "Lines: 6"}},
    # --- library versions ------------------------------------------------------------------------------
    {"id": "pandas_append", "kind": "newer pandas API", "request": "add a total row", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
totals = df.groupby("Region", as_index=False)["Units"].sum()
totals = totals.append({"Region": "All", "Units": totals["Units"].sum()}, ignore_index=True)
print(totals.to_string(index=False))
''', "check": {"stdout": "All"}},
    {"id": "pandas_iteritems", "kind": "newer pandas API", "request": "print each column's type", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
for name, values in df.iteritems():
    print(f"{name}: {values.dtype}")
''', "check": {"stdout": "Units: int64"}},
    {"id": "pandas_mean_text", "kind": "newer pandas API", "request": "average of every column by region",
     "files": SALES, "code": '''df = pd.read_csv(sales_path)
means = df.groupby("Region").mean()
print(means.round(2).to_string())
print("done")
''', "check": {"stdout": "done"}},
    {"id": "pandas_corr_text", "kind": "newer pandas API", "request": "correlation matrix of the sales data",
     "files": SALES, "code": '''df = pd.read_csv(sales_path)
corr = df.corr()
print(corr.round(2).to_string())
print("pairs:", corr.shape[0] * corr.shape[1])
''', "check": {"stdout": "pairs: 4"}},
    {"id": "numpy_float", "kind": "newer numpy API", "request": "mean BMI as a float", "files": DIABETES,
     "code": '''df = pd.read_csv(diabetes_path)
mean_bmi = np.float(df["BMI"].mean())
print("Mean BMI:", round(mean_bmi, 2))
''', "check": {"stdout": "Mean BMI:"}},
    {"id": "ax_savefig", "kind": "wrong object", "request": "box plot of BMI by outcome", "files": DIABETES,
     "code": '''df = pd.read_csv(diabetes_path)
fig, ax = plt.subplots()
df.boxplot(column="BMI", by="Outcome", ax=ax)
ax.savefig(f"{OUTPUT_DIR}/bmi_by_outcome.png")
print(f"FILE_SAVED:{OUTPUT_DIR}/bmi_by_outcome.png")
''', "check": {"file": "bmi_by_outcome.png"}},
    {"id": "style_seaborn", "kind": "newer matplotlib API", "request": "line chart of glucose by age",
     "files": DIABETES, "code": '''plt.style.use("seaborn")
df = pd.read_csv(diabetes_path).sort_values("Age")
plt.plot(df["Age"], df["Glucose"])
plt.savefig(f"{OUTPUT_DIR}/glucose_by_age.png")
print(f"FILE_SAVED:{OUTPUT_DIR}/glucose_by_age.png")
''', "check": {"file": "glucose_by_age.png"}},
    {"id": "read_csv_error_bad_lines", "kind": "renamed keyword", "request": "load the sales data and count rows",
     "files": SALES, "code": '''df = pd.read_csv(sales_path, error_bad_lines=False)
print("rows:", len(df))
''', "check": {"stdout": "rows: 12"}},
    {"id": "datetime_module", "kind": "wrong object", "request": "print today's date with the row count",
     "files": SALES, "code": '''import datetime
df = pd.read_csv(sales_path)
print("As of", datetime.now().date(), "there are", len(df), "orders")
''', "check": {"stdout": "orders"}},
    # --- names and syntax ------------------------------------------------------------------------------
    {"id": "variable_typo", "kind": "variable typo", "request": "total and average units", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
total_units = int(df["Units"].sum())
average_units = total_units / len(df)
print("Total units:", totl_units)
print("Average:", round(average_units, 2))
''', "check": {"stdout": "Total units: 710"}},
    {"id": "unterminated_string", "kind": "syntax", "request": "count the orders", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
print("Orders: , len(df))
''', "check": {"stdout": "Orders:"}},
    {"id": "unclosed_paren", "kind": "syntax", "request": "sum of units", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
total = int(df["Units"].sum()
print("Sum of units:", total)
''', "check": {"stdout": "Sum of units: 710"}},
    {"id": "indented_block", "kind": "syntax", "request": "number of columns", "files": SALES,
     "code": '''    df = pd.read_csv(sales_path)
    print("Columns:", df.shape[1])
''', "check": {"stdout": "Columns: 5"}},
    # --- documents --------------------------------------------------------------------------------------
    {"id": "docx_heading_level", "kind": "library limit", "request": "Word report with nested headings",
     "files": SALES, "code": '''from docx import Document
df = pd.read_csv(sales_path)
doc = Document()
doc.add_heading("Sales report", level=0)
for depth, region in enumerate(sorted(df["Region"].unique()), start=8):
    doc.add_heading(region, level=depth)
doc.save(f"{OUTPUT_DIR}/nested.docx")
print(f"FILE_SAVED:{OUTPUT_DIR}/nested.docx")
''', "check": {"file": "nested.docx"}},
    {"id": "fpdf_unicode", "kind": "encoding", "request": "a PDF summary of the cafés", "files": CAFES,
     "code": '''from fpdf import FPDF
pdf = FPDF()
pdf.add_page()
pdf.set_font("Helvetica", size=12)
pdf.cell(0, 10, "Cafés – the “best” of Paris and Lyon")
pdf.output(f"{OUTPUT_DIR}/cafes.pdf")
print(f"FILE_SAVED:{OUTPUT_DIR}/cafes.pdf")
''', "check": {"file": "cafes.pdf"}},
    {"id": "iloc_off_by_one", "kind": "index", "request": "the last order", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
last = df.iloc[len(df)]
print("Last order:", last["Region"], last["Product"], last["Units"])
''', "check": {"stdout": "Last order: West Gizmo 35"}},
    {"id": "excel_and_word_missing", "kind": "missing output", "request": "summary of units per region to Excel "
     "and Word", "files": SALES, "code": '''df = pd.read_csv(sales_path)
summary = df.groupby("Region", as_index=False)["Units"].sum()
summary.to_excel(f"{OUTPUT_DIR}/summary.xlsx", index=False)
print(f"FILE_SAVED:{OUTPUT_DIR}/summary.xlsx")
''', "check": {"file": "summary.docx"}},
    # --- what only a model can fix (kept honest: the rules should NOT claim these) ------------------------
    {"id": "logic_zero_division", "kind": "logic (model)", "request": "average units of orders above 500",
     "files": SALES, "code": '''df = pd.read_csv(sales_path)
big = df[df["Units"] > 500]
print("Average units of big orders:", int(df["Units"].sum()) / len(big))
''', "check": {"stdout": "Average units of big orders:"}},
    {"id": "slow_row_loop", "kind": "timeout", "request": "simulate a running total per order", "files": SALES,
     "code": '''df = pd.read_csv(sales_path)
total = 0
for i in range(300000000):
    total += i % 7
print("Checksum:", total % 1000)
print("Orders:", len(df))
''', "check": {"stdout": "Orders: 12"}},
]
