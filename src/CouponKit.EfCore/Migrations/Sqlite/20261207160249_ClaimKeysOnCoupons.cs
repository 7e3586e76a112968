using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CouponKit.EfCore.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ClaimKeysOnCoupons : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Each claim key moves onto the coupon it issued, then the claim records go: copied before the table is dropped.
            migrationBuilder.AddColumn<string>(
                name: "ClaimKey",
                table: "ck_coupons",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.Sql("UPDATE \"ck_coupons\" SET \"ClaimKey\" = (SELECT c.\"ClaimKey\" FROM \"ck_claims\" AS c WHERE c.\"CouponId\" = \"ck_coupons\".\"CouponId\")");

            migrationBuilder.CreateIndex(
                name: "IX_ck_coupons_ClaimKey",
                table: "ck_coupons",
                column: "ClaimKey",
                unique: true);

            migrationBuilder.DropTable(
                name: "ck_claims");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ck_claims",
                columns: table => new
                {
                    ClaimKey = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CouponId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    TemplateId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ck_claims", x => x.ClaimKey);
                });

            migrationBuilder.Sql("INSERT INTO \"ck_claims\" (\"ClaimKey\", \"CouponId\", \"TemplateId\", \"UserId\") SELECT \"ClaimKey\", \"CouponId\", \"TemplateId\", \"UserId\" FROM \"ck_coupons\" WHERE \"ClaimKey\" IS NOT NULL");

            migrationBuilder.DropIndex(
                name: "IX_ck_coupons_ClaimKey",
                table: "ck_coupons");

            migrationBuilder.DropColumn(
                name: "ClaimKey",
                table: "ck_coupons");
        }
    }
}
