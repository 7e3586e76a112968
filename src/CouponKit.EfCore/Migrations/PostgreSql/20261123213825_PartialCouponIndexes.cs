using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CouponKit.EfCore.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class PartialCouponIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ck_coupons_TemplateId_IdentityKey_IdentitySequence",
                table: "ck_coupons");

            migrationBuilder.DropIndex(
                name: "IX_ck_coupons_TemplateId_IssueSequence",
                table: "ck_coupons");

            migrationBuilder.CreateIndex(
                name: "IX_ck_coupons_TemplateId_IdentityKey_IdentitySequence",
                table: "ck_coupons",
                columns: new[] { "TemplateId", "IdentityKey", "IdentitySequence" },
                unique: true,
                filter: "\"IdentityKey\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ck_coupons_TemplateId_IssueSequence",
                table: "ck_coupons",
                columns: new[] { "TemplateId", "IssueSequence" },
                unique: true,
                filter: "\"IssueSequence\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ck_coupons_TemplateId_IdentityKey_IdentitySequence",
                table: "ck_coupons");

            migrationBuilder.DropIndex(
                name: "IX_ck_coupons_TemplateId_IssueSequence",
                table: "ck_coupons");

            migrationBuilder.CreateIndex(
                name: "IX_ck_coupons_TemplateId_IdentityKey_IdentitySequence",
                table: "ck_coupons",
                columns: new[] { "TemplateId", "IdentityKey", "IdentitySequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ck_coupons_TemplateId_IssueSequence",
                table: "ck_coupons",
                columns: new[] { "TemplateId", "IssueSequence" },
                unique: true);
        }
    }
}
